import { describe, expect, it } from 'vitest';
import { EMPTY_SMOOTHED, RateMeter, smoothStep, smoothedValue } from './rate';

/** Records `perStep` tracks every `stepMs` from `from` (ms, count) for `steps` steps; the last (ms, count). */
function feed(meter: RateMeter, from: [number, number], perStep: (i: number) => number, stepMs: number, steps: number) {
  let [at, processed] = from;
  const rates: number[] = [];
  for (let i = 0; i < steps; i += 1) {
    at += stepMs;
    processed += perStep(i);
    meter.record(processed, at);
    rates.push(meter.rate() ?? NaN);
  }
  return { at, processed, rates };
}

describe('smoothStep', () => {
  it('starts at the first sample and averages the first ones by the time they held', () => {
    let s = smoothStep(EMPTY_SMOOTHED, 10, 1000, 20_000);
    expect(smoothedValue(s)).toBeCloseTo(10);
    s = smoothStep(s, 40, 1000, 20_000);
    // Two equal spans, early on: close to their mean, not pulled towards 0.
    expect(smoothedValue(s)).toBeGreaterThan(24);
    expect(smoothedValue(s)).toBeLessThan(26);
  });

  it('forgets old samples over a few time constants', () => {
    let s = smoothStep(EMPTY_SMOOTHED, 100, 60_000, 10_000);
    for (let i = 0; i < 50; i += 1) s = smoothStep(s, 5, 1000, 10_000);
    // 50 s at 5/s after a minute at 100/s: five time constants, under 1 % of the gap left.
    expect(smoothedValue(s)).toBeGreaterThan(5);
    expect(smoothedValue(s)).toBeLessThan(6);
  });

  it('ignores empty spans and values that are not numbers', () => {
    const s = smoothStep(EMPTY_SMOOTHED, 10, 1000, 20_000);
    expect(smoothStep(s, 99, 0, 20_000)).toBe(s);
    expect(smoothStep(s, Number.NaN, 500, 20_000)).toBe(s);
    expect(smoothedValue(EMPTY_SMOOTHED)).toBeNull();
  });
});

describe('RateMeter', () => {
  it('knows nothing until the samples span long enough', () => {
    const meter = new RateMeter(15_000, 400);
    expect(meter.rate()).toBeNull();
    meter.record(0, 0);
    expect(meter.rate()).toBeNull();
    meter.record(10, 200);
    expect(meter.rate()).toBeNull();
    meter.record(40, 1000);
    expect(meter.rate()).toBe(40);
  });

  it('moves gradually when progress comes in bursts', () => {
    const meter = new RateMeter(15_000, 400);
    meter.record(0, 0);
    // 10 tracks a second on average, as bursts: 1, 9, 0, 10 tracks per half second
    // (instantaneous rates of 2, 18, 0 and 20 a second).
    const bursts = [1, 9, 0, 10];
    const { rates, processed } = feed(meter, [0, 0], (i) => bursts[i % 4], 500, 240);
    expect(processed).toBe(1200);
    const settled = rates.slice(40);
    // The estimate stays near 10 a second, where the raw deltas swing from 0 to 40.
    expect(Math.min(...settled)).toBeGreaterThan(8);
    expect(Math.max(...settled)).toBeLessThan(12);
    // And it never jumps: one burst moves it by a fraction of a percent.
    for (let i = 1; i < settled.length; i += 1) {
      expect(Math.abs(settled[i] - settled[i - 1])).toBeLessThan(0.1);
    }
  });

  it('keeps the time left steady through bursts', () => {
    const meter = new RateMeter(15_000, 400);
    meter.record(0, 0);
    const bursts = [1, 9, 0, 10];
    const total = 100_000;
    let processed = 0;
    const etas: number[] = [];
    for (let i = 0; i < 240; i += 1) {
      processed += bursts[i % 4];
      meter.record(processed, (i + 1) * 500);
      etas.push(meter.etaSeconds(total) ?? NaN);
    }
    // About 10,000 s (2 h 45 min) left at 10 a second; successive estimates differ by
    // seconds, where the raw deltas would swing it between 1 h 20 min and forever.
    const settled = etas.slice(40);
    for (let i = 1; i < settled.length; i += 1) {
      expect(Math.abs(settled[i] - settled[i - 1])).toBeLessThan(60);
    }
    expect(settled.at(-1)).toBeGreaterThan(8_000);
    expect(settled.at(-1)).toBeLessThan(12_000);
  });

  it('follows a real change of pace', () => {
    const meter = new RateMeter(15_000, 400);
    meter.record(0, 0);
    // Ten minutes at 50 a second, then the provider throttles: 5 a second.
    const fast = feed(meter, [0, 0], () => 25, 500, 1200);
    expect(meter.rate()).toBeCloseTo(50);
    const slow = feed(meter, [fast.at, fast.processed], () => 2.5, 500, 240);
    // Gradually: still well above 5 after ten seconds...
    expect(slow.rates[19]).toBeGreaterThan(20);
    // ...and there within two minutes.
    expect(meter.rate()).toBeGreaterThan(5);
    expect(meter.rate()).toBeLessThan(5.5);
    // Monotonic on the way down: no swing back up.
    for (let i = 1; i < slow.rates.length; i += 1) expect(slow.rates[i]).toBeLessThanOrEqual(slow.rates[i - 1]);
  });

  it('takes samples of one batch together (no rate from a zero-length span)', () => {
    const meter = new RateMeter(15_000, 400);
    meter.record(0, 0);
    meter.record(10, 1000);
    meter.record(30, 1000);
    meter.record(35, 1100);
    // Only the first full step counted; the closer samples wait for the next.
    expect(meter.rate()).toBe(10);
    meter.record(40, 2000);
    expect(meter.rate()).toBeGreaterThan(10);
    // The time left counts from the latest count, not the last step's.
    expect(meter.etaSeconds(40)).toBe(0);
  });

  it('estimates the time left', () => {
    const meter = new RateMeter();
    meter.record(0, 0);
    meter.record(50, 1000);
    expect(meter.etaSeconds(250)).toBe(4);
    expect(meter.etaSeconds(50)).toBe(0);
  });

  it('has no estimate when stalled or reset', () => {
    const meter = new RateMeter();
    meter.record(10, 0);
    meter.record(10, 2000);
    expect(meter.rate()).toBe(0);
    expect(meter.etaSeconds(100)).toBeNull();
    meter.reset();
    expect(meter.rate()).toBeNull();
    expect(meter.etaSeconds(100)).toBeNull();
  });

  it('starts over when the count goes backwards (a new job)', () => {
    const meter = new RateMeter();
    meter.record(500, 0);
    meter.record(600, 1000);
    meter.record(0, 1100);
    expect(meter.rate()).toBeNull();
  });
});
