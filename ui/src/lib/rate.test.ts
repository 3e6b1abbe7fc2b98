import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate';

describe('RateMeter', () => {
  it('knows nothing until the samples span long enough', () => {
    const meter = new RateMeter(5000, 400);
    expect(meter.rate()).toBeNull();
    meter.record(0, 0);
    expect(meter.rate()).toBeNull();
    meter.record(10, 200);
    expect(meter.rate()).toBeNull();
    meter.record(40, 1000);
    expect(meter.rate()).toBe(40);
  });

  it('measures over the recent window only', () => {
    const meter = new RateMeter(2000, 100);
    // 10 tracks/s for 10 s, then 100 tracks/s.
    for (let t = 0; t <= 10_000; t += 500) meter.record(t / 100, t);
    expect(meter.rate()).toBeCloseTo(10);
    let processed = 100;
    for (let t = 10_500; t <= 14_000; t += 500) {
      processed += 50;
      meter.record(processed, t);
    }
    expect(meter.rate()).toBeCloseTo(100);
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
