import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FAILURE_CSV_HEADER,
  csvField,
  downloadText,
  failuresCsvFile,
  failuresFileName,
  failuresToCsv,
  isoTime,
  toCsv,
} from './csv';
import { type FailureRow, FailureStore, filterFailures, parseReason, rowFromEvent } from './failures';

/** A strict RFC 4180 reader, to check that what we write reads back the same. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '"' || c === '\r' || c === '\n') {
      throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('missing final CRLF');
  return rows;
}

function failure(overrides: Partial<FailureRow> = {}): FailureRow {
  return {
    key: '7:artwork',
    track_id: 7,
    title: 'Blue Lights',
    artist: 'Björk',
    album_id: 3,
    album: 'Debut',
    path: '/music/Björk/Debut/01 Blue Lights.flac',
    operation: 'artwork',
    reason: 'HTTP 503 from coverartarchive.org',
    attempts: 4,
    failed_at: 1_714_564_800,
    ...parseReason(overrides.reason ?? 'HTTP 503 from coverartarchive.org'),
    ...overrides,
  };
}

describe('csvField', () => {
  it('leaves plain text and numbers alone', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField(42)).toBe('42');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes commas, quotes, CR and LF, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField('"')).toBe('""""');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-1)).toBe('-1'); // numbers are data, not formulas
    expect(csvField('a=b')).toBe('a=b');
  });
});

describe('toCsv / failuresToCsv', () => {
  it('ends every row with CRLF', () => {
    expect(
      toCsv([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toBe('a,b\r\nc,d\r\n');
    expect(toCsv([])).toBe('');
  });

  it('writes a header and one row per failure, in order', () => {
    const csv = failuresToCsv([failure(), failure({ key: '8:lyrics', track_id: 8, operation: 'lyrics' })]);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...FAILURE_CSV_HEADER]);
    expect(rows[1]).toEqual([
      '7',
      'Blue Lights',
      'Björk',
      'Debut',
      '/music/Björk/Debut/01 Blue Lights.flac',
      'artwork',
      'HTTP 503 from coverartarchive.org',
      '4',
      '2024-05-01T12:00:00Z',
    ]);
    expect(rows[2][0]).toBe('8');
    expect(rows[2][5]).toBe('lyrics');
    expect(rows).toHaveLength(3);
  });

  it('round-trips awkward titles and reasons', () => {
    const awkward = failure({
      title: 'Hello, "World"',
      artist: 'Line\nBreak',
      album: 'Tab\there',
      reason: '<img src=x onerror=alert(1)>, then "quotes"\r\nand CRLF',
    });
    const rows = parseCsv(failuresToCsv([awkward]));
    expect(rows[1].slice(1, 4)).toEqual(['Hello, "World"', 'Line\nBreak', 'Tab\there']);
    expect(rows[1][6]).toBe('<img src=x onerror=alert(1)>, then "quotes"\r\nand CRLF');
  });

  it('fills the album and path columns of failures seen live', () => {
    // Live failures come from `track_failed` events, which carry the album and the path.
    const store = new FailureStore(10);
    store.add(
      rowFromEvent(
        {
          type: 'track_failed',
          job_id: 1,
          track_id: 12,
          title: 'Jóga',
          artist: 'Björk',
          album_id: 4,
          album: 'Homogenic',
          path: '/music/Björk/Homogenic/03 Jóga.flac',
          operation: 'lyrics',
          reason: 'lrclib: server error (HTTP 500)',
          attempts: 4,
        },
        1_714_564_800,
      ),
    );
    const rows = parseCsv(failuresToCsv(store.rows));
    expect(rows[1]).toEqual([
      '12',
      'Jóga',
      'Björk',
      'Homogenic',
      '/music/Björk/Homogenic/03 Jóga.flac',
      'lyrics',
      'lrclib: server error (HTTP 500)',
      '4',
      '2024-05-01T12:00:00Z',
    ]);
  });

  it('writes what a filter shows', () => {
    const rows = [
      failure({ key: '1:lyrics', track_id: 1, operation: 'lyrics', reason: 'lrclib: timed out (operation timed out)' }),
      failure({ key: '2:artwork', track_id: 2, reason: 'deezer: throttled (Quota limit exceeded)' }),
      failure({ key: '3:lyrics', track_id: 3, operation: 'lyrics', reason: 'lrclib: server error (HTTP 500)' }),
    ];
    const shown = filterFailures(rows, { provider: 'lrclib', cause: 'timeout' });
    expect(parseCsv(failuresToCsv(shown)).map((row) => row[0])).toEqual(['track_id', '1']);
  });

  it('writes the time as UTC ISO 8601, empty when unknown', () => {
    expect(isoTime(0)).toBe('');
    expect(isoTime(Number.NaN)).toBe('');
    expect(isoTime(1_714_564_801)).toBe('2024-05-01T12:00:01Z');
  });

  it('names the file after the local date', () => {
    expect(failuresFileName(new Date(2024, 0, 9, 23, 30))).toBe('gatefold-failures-2024-01-09.csv');
  });
});

describe('downloadText', () => {
  afterEach(() => vi.restoreAllMocks());

  it('clicks a download link to a blob of the failures CSV, BOM first', async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:fake';
    });
    URL.revokeObjectURL = vi.fn();
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    downloadText('x.csv', failuresCsvFile([]), 'text/csv;charset=utf-8');
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('x.csv');
    expect(clicked[0].getAttribute('href')).toBe('blob:fake');
    expect(clicked[0].isConnected).toBe(false);
    expect(blobs[0].type).toBe('text/csv;charset=utf-8');
    const bytes = new Uint8Array(await blobs[0].arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe(`${FAILURE_CSV_HEADER.join(',')}\r\n`);
  });
});
