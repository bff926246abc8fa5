/**
 * Splits decompressed archive bytes into lines and hands over only the lines the pre-filter picks,
 * decoded. Everything else stays bytes: a line is counted and given a one-byte sanity check (starts
 * with `{`, ends with `}`) but never decoded or parsed, which is what keeps the import close to the
 * speed of gunzip. Memory is one chunk plus the unfinished last line, whatever the file size.
 */
const NL = 0x0a;
const CR = 0x0d;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

export interface CandidateLine {
  text: string;
  /** 1-based line number in the decompressed file. */
  lineNo: number;
}

export interface LineSink {
  /** Called for each pre-filter hit; returns true when it learnt something that widens the pre-filter. */
  candidate(line: CandidateLine): boolean;
  /** A line that cannot be an event (cheap check), with its number and a short, printable excerpt. */
  badLine(lineNo: number, excerpt: string): void;
}

export class LineTooLongError extends Error {
  constructor(readonly lineNo: number, readonly limit: number) {
    super(`line ${lineNo} is longer than ${Math.round(limit / 1_048_576)} MB without a newline`);
    this.name = 'LineTooLongError';
  }
}

export class LineScanner {
  /** Non-empty lines seen: the hour's event count when the file is sound. */
  lines = 0;
  bytes = 0;
  private physical = 0;
  private carry: Buffer | undefined;

  constructor(
    private readonly prefilter: () => RegExp,
    private readonly sink: LineSink,
    /** An event is at most a few MB; a longer "line" is a broken file, not something to buffer. */
    private readonly maxLineBytes = 64 * 1_048_576,
  ) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    const work = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const last = work.lastIndexOf(NL);
    if (last === -1) {
      this.carry = work;
      if (work.length > this.maxLineBytes) throw new LineTooLongError(this.physical + 1, this.maxLineBytes);
      return;
    }
    // Copy the tail: a view would pin the whole chunk until the next one arrives.
    this.carry = last + 1 < work.length ? Buffer.from(work.subarray(last + 1)) : undefined;
    this.scan(work.subarray(0, last + 1));
  }

  /** The file ended: a last line without a newline is still a line. */
  end(): void {
    const rest = this.carry;
    this.carry = undefined;
    if (rest && rest.length > 0) this.scan(Buffer.concat([rest, Buffer.from([NL])]));
  }

  /** `buf` holds whole lines, each ending with a newline. */
  private scan(buf: Buffer): void {
    const firstLine = this.physical;
    const hits = this.hitsIn(buf, 0);
    const taken = new Set<number>();
    let learned = false;
    let h = 0;
    let start = 0;
    for (let nl = buf.indexOf(NL, 0); nl !== -1; nl = buf.indexOf(NL, start)) {
      this.physical++;
      let end = nl;
      if (end > start && buf[end - 1] === CR) end--;
      if (end > start) {
        this.lines++;
        if (buf[start] !== OPEN || buf[end - 1] !== CLOSE) this.sink.badLine(this.physical, excerpt(buf, start, end));
        else if (h < hits.length && (hits[h] as number) < nl) {
          taken.add(start);
          if (this.sink.candidate({ text: buf.toString('utf8', start, end), lineNo: this.physical })) learned = true;
        }
      }
      while (h < hits.length && (hits[h] as number) < nl) h++;
      start = nl + 1;
    }
    // An id learnt from this chunk may also sit on lines of this chunk that the older filter passed over.
    if (learned) this.rescan(buf, firstLine, taken);
  }

  private rescan(buf: Buffer, firstLine: number, taken: Set<number>): void {
    for (;;) {
      let learned = false;
      for (const hit of this.hitsIn(buf, 0)) {
        const start = buf.lastIndexOf(NL, hit) + 1;
        if (taken.has(start)) continue;
        taken.add(start);
        let end = buf.indexOf(NL, hit);
        if (end > start && buf[end - 1] === CR) end--;
        if (buf[start] !== OPEN || buf[end - 1] !== CLOSE) continue; // already reported as a bad line
        const lineNo = firstLine + countNewlines(buf, start) + 1;
        if (this.sink.candidate({ text: buf.toString('utf8', start, end), lineNo })) learned = true;
      }
      if (!learned) return;
    }
  }

  /** Offsets of pre-filter hits, at most one per line. Latin-1 keeps string offsets equal to byte offsets. */
  private hitsIn(buf: Buffer, from: number): number[] {
    const re = this.prefilter();
    const text = buf.toString('latin1');
    const out: number[] = [];
    re.lastIndex = from;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      out.push(m.index);
      const nl = buf.indexOf(NL, m.index);
      if (nl === -1) break;
      re.lastIndex = nl + 1;
    }
    return out;
  }
}

function countNewlines(buf: Buffer, until: number): number {
  let n = 0;
  for (let p = buf.indexOf(NL, 0); p !== -1 && p < until; p = buf.indexOf(NL, p + 1)) n++;
  return n;
}

function excerpt(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, Math.min(end, start + 60));
  // Control characters (a binary blob in the stream) are shown escaped, never written to a terminal.
  return JSON.stringify(end - start > 60 ? `${text}…` : text);
}
