import { describe, expect, it } from 'vitest';
import { formatLrcTime, lrcDatetime, parseLrc } from './lrc';

const XSS = '<img src=x onerror=alert(1)>';

describe('parseLrc', () => {
  it('reads timed lines in order with their times in ms', () => {
    expect(parseLrc('[00:12.34]First\n[01:02.50]Second\n[10:00.00]Third')).toEqual([
      { timeMs: 12_340, text: 'First' },
      { timeMs: 62_500, text: 'Second' },
      { timeMs: 600_000, text: 'Third' },
    ]);
  });

  it('accepts every common fraction and separator', () => {
    const times = parseLrc('[00:01]a\n[00:01.5]b\n[00:01.25]c\n[00:01.125]d\n[00:01:50]e\n[0:2.5]f\n[100:00.00]g').map(
      (l) => l.timeMs,
    );
    expect(times).toEqual([1000, 1125, 1250, 1500, 1500, 2500, 6_000_000]);
  });

  it('repeats a line with several timestamps at each of them, in time order', () => {
    expect(parseLrc('[00:10.00]Verse\n[00:20.00][00:40.00]Chorus\n[00:30.00]Bridge')).toEqual([
      { timeMs: 10_000, text: 'Verse' },
      { timeMs: 20_000, text: 'Chorus' },
      { timeMs: 30_000, text: 'Bridge' },
      { timeMs: 40_000, text: 'Chorus' },
    ]);
  });

  it('drops ID tags and applies [offset:] to every timestamp, wherever it is', () => {
    const lrc = [
      '[ar:Björk]',
      '[ti:Joga]',
      '[al:Homogenic]',
      '[by:someone]',
      '[length:05:05]',
      '[00:10.00]One',
      '[00:20.00]Two',
      '[offset:+500]',
    ].join('\n');
    expect(parseLrc(lrc)).toEqual([
      { timeMs: 9_500, text: 'One' },
      { timeMs: 19_500, text: 'Two' },
    ]);
    expect(parseLrc('[offset:-250]\n[00:00.10]Late')[0].timeMs).toBe(350);
    // Never before zero.
    expect(parseLrc('[offset:1000]\n[00:00.10]Early')[0].timeMs).toBe(0);
  });

  it('keeps lines without a timestamp where they were', () => {
    expect(parseLrc('Written by Someone\n[00:05.00]One\n[Chorus]\n[00:03.00]Zero')).toEqual([
      { timeMs: null, text: 'Written by Someone' },
      { timeMs: 3_000, text: 'Zero' },
      { timeMs: 5_000, text: 'One' },
      { timeMs: null, text: '[Chorus]' },
    ]);
  });

  it('keeps an empty timed line (a pause), drops blank untimed ones', () => {
    expect(parseLrc('[00:01.00]One\n\n   \n[00:02.00]\n[00:03.00]Two')).toEqual([
      { timeMs: 1_000, text: 'One' },
      { timeMs: 2_000, text: '' },
      { timeMs: 3_000, text: 'Two' },
    ]);
  });

  it('copes with CRLF, a BOM, stray spaces, word timings and bad brackets', () => {
    expect(parseLrc('\uFEFF[00:01.00] One \r\n [00:02.00]<00:02.00>Two <00:02.50>words\r[00:99.00]Not a time')).toEqual(
      [
        { timeMs: 1_000, text: 'One' },
        { timeMs: 2_000, text: 'Two words' },
        { timeMs: null, text: '[00:99.00]Not a time' },
      ],
    );
    // A tag after a timestamp is text.
    expect(parseLrc('[00:01.00][ar:x]Hi')).toEqual([{ timeMs: 1_000, text: '[ar:x]Hi' }]);
    expect(parseLrc('')).toEqual([]);
  });

  it('keeps markup as plain text', () => {
    expect(parseLrc(`[00:01.00]${XSS}`)).toEqual([{ timeMs: 1_000, text: XSS }]);
  });

  it('reads text without any timestamp as untimed lines', () => {
    expect(parseLrc('[ar:x]\nJust words').every((line) => line.timeMs === null)).toBe(true);
  });
});

describe('formatLrcTime', () => {
  it('prints mm:ss.xx', () => {
    expect(formatLrcTime(0)).toBe('00:00.00');
    expect(formatLrcTime(83_450)).toBe('01:23.45');
    expect(formatLrcTime(1_125)).toBe('00:01.12');
    expect(formatLrcTime(6_000_000)).toBe('100:00.00');
    expect(formatLrcTime(-5)).toBe('00:00.00');
  });

  it('round-trips through the parser', () => {
    for (const ms of [0, 10, 990, 59_990, 83_450, 3_599_990]) {
      expect(parseLrc(`[${formatLrcTime(ms)}]x`)[0].timeMs).toBe(ms);
    }
  });

  it('gives an ISO 8601 duration for <time datetime>', () => {
    expect(lrcDatetime(83_450)).toBe('PT1M23.45S');
    expect(lrcDatetime(5_000)).toBe('PT0M5.00S');
  });
});
