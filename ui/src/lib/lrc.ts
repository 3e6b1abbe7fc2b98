// A forgiving LRC reader for the lyrics viewer. LRC in the wild (LRCLIB, sidecar `.lrc` files,
// tags) varies a lot, so nothing here throws: what cannot be read as a tag is kept as text.

/** One line to show: `timeMs` is `null` for a line that carried no timestamp. */
export interface LrcLine {
  timeMs: number | null;
  text: string;
}

/** `[mm:ss]`, `[mm:ss.x]`, `[mm:ss.xx]`, `[mm:ss.xxx]`, also with `:` before the fraction. */
const TIMESTAMP = /^(\d{1,4}):(\d{1,2})(?:[.:](\d{1,3}))?$/;
/** `[ar:Someone]`, `[offset:+250]`, `[#:comment]`: ID tags, never shown. */
const ID_TAG = /^([A-Za-z#][A-Za-z0-9_#-]*):(.*)$/s;
/** Enhanced LRC word timings inside a line: `<00:12.34>`. */
const WORD_TIMING = /<\d{1,4}:\d{1,2}(?:[.:]\d{1,3})?>/g;

function timestampMs(tag: string): number | null {
  const match = TIMESTAMP.exec(tag.trim());
  if (!match) return null;
  const [, minutes, seconds, fraction] = match;
  if (Number(seconds) >= 60) return null;
  // "5" is 500 ms, "45" is 450 ms, "456" is 456 ms.
  const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0'));
  return (Number(minutes) * 60 + Number(seconds)) * 1000 + ms;
}

interface Entry extends LrcLine {
  /** Where the line goes: its time, or that of the line before it for an untimed line. */
  sortKey: number;
  order: number;
}

/**
 * The lines of `lrc` in time order. A line with several timestamps (`[00:10.00][01:10.00]Chorus`)
 * appears once per timestamp; `[offset:±ms]` shifts every timestamp (positive: earlier); other
 * ID tags (`[ar:]`, `[ti:]`, `[length:]`, ...) are dropped; lines without a timestamp are kept
 * where they were (after the timed line before them); blank untimed lines are dropped.
 */
export function parseLrc(lrc: string): LrcLine[] {
  let offsetMs = 0;
  const entries: Entry[] = [];
  let lastKey = -1;
  for (const raw of lrc.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const times: number[] = [];
    let rest = raw;
    // Leading tags; a bracket that is neither a timestamp nor an ID tag starts the text.
    for (;;) {
      const match = /^\s*\[([^\]]*)\]/.exec(rest);
      if (!match) break;
      const time = timestampMs(match[1]);
      if (time !== null) {
        times.push(time);
      } else {
        const tag = ID_TAG.exec(match[1]);
        if (!tag || times.length > 0) break;
        if (tag[1].toLowerCase() === 'offset') {
          const value = Number.parseInt(tag[2].trim(), 10);
          if (Number.isFinite(value)) offsetMs = value;
        }
      }
      rest = rest.slice(match[0].length);
    }
    const text = rest.replace(WORD_TIMING, '').trim();
    if (times.length === 0) {
      // Untimed text (a credit, a "[Chorus]" heading, plain lyrics) stays; an ID tag line or a
      // blank line goes.
      if (text !== '') entries.push({ timeMs: null, text, sortKey: lastKey, order: entries.length });
      continue;
    }
    for (const time of times) {
      entries.push({ timeMs: time, text, sortKey: time, order: entries.length });
      lastKey = time;
    }
  }
  // The offset applies to the whole file wherever the tag is, so it is applied last.
  return entries
    .map((entry) =>
      entry.timeMs === null
        ? entry
        : { ...entry, timeMs: Math.max(0, entry.timeMs - offsetMs), sortKey: entry.sortKey - offsetMs },
    )
    .sort((a, b) => a.sortKey - b.sortKey || a.order - b.order)
    .map(({ timeMs, text }) => ({ timeMs, text }));
}

/** "01:23.45" (minutes, seconds, hundredths; minutes grow past 99 when needed). */
export function formatLrcTime(ms: number): string {
  const hundredths = Math.floor(Math.max(0, ms) / 10);
  const minutes = Math.floor(hundredths / 6000);
  const seconds = Math.floor((hundredths % 6000) / 100);
  const fraction = hundredths % 100;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(minutes)}:${pad(seconds)}.${pad(fraction)}`;
}

/** An ISO 8601 duration for `<time datetime>`: "PT1M23.45S". */
export function lrcDatetime(ms: number): string {
  const hundredths = Math.floor(Math.max(0, ms) / 10);
  const minutes = Math.floor(hundredths / 6000);
  const seconds = (hundredths % 6000) / 100;
  return `PT${minutes}M${seconds.toFixed(2)}S`;
}
