import { MARKER_END, MARKER_START } from './jinjaPreprocess';

/**
 * The way back from compiled SQL to source lines. Rendering leaves the line markers of
 * jinjaPreprocess.ts in the output; this removes them and remembers, for each compiled line, where
 * its text came from (a model line, or a macro file's line when a macro produced it).
 */
export interface SourceLocation {
  /** Index in the renderer's file table. */
  fileIndex: number;
  line: number;
}

interface Segment {
  column: number;
  at: SourceLocation;
}

export class LineMap {
  /** Per 0-based compiled line: segments ordered by column. */
  private constructor(private readonly lines: Segment[][]) {}

  static identity(fileIndex: number, lineCount: number): LineMap {
    return new LineMap(Array.from({ length: lineCount }, (_, i) => [{ column: 0, at: { fileIndex, line: i + 1 } }]));
  }

  /** Removes the markers from rendered text and returns the clean text with its map. */
  static extract(rendered: string, fallback: SourceLocation): { text: string; map: LineMap } {
    const lines: Segment[][] = [[]];
    let current: SourceLocation = fallback;
    let text = '';
    let column = 0;
    let lastEmittedFrom: SourceLocation | undefined;
    for (let i = 0; i < rendered.length; i++) {
      const c = rendered[i] as string;
      if (c === MARKER_START) {
        const end = rendered.indexOf(MARKER_END, i);
        if (end > 0) {
          const [f, l] = rendered.slice(i + 1, end).split(':');
          current = { fileIndex: Number(f), line: Number(l) };
          i = end;
          continue;
        }
      }
      if (c === '\n') {
        text += c;
        // Text after a newline without a new marker comes from the next line of the same file.
        current = { fileIndex: current.fileIndex, line: current.line + 1 };
        lines.push([]);
        column = 0;
        lastEmittedFrom = undefined;
        continue;
      }
      const segs = lines[lines.length - 1] as Segment[];
      if (lastEmittedFrom !== current) {
        segs.push({ column, at: current });
        lastEmittedFrom = current;
      }
      text += c;
      column++;
    }
    // An empty line still belongs somewhere: the location its newline led to.
    let prev: SourceLocation = fallback;
    for (const segs of lines) {
      if (segs.length === 0) segs.push({ column: 0, at: prev });
      prev = (segs[segs.length - 1] as Segment).at;
    }
    return { text, map: new LineMap(lines) };
  }

  /** Generated text (a CTE header, a wrapper) attributed as a whole to one location. */
  static generated(text: string, at: SourceLocation): LineMap {
    return new LineMap(text.split('\n').map(() => [{ column: 0, at }]));
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Source location of a 1-based compiled line and column. */
  locate(line: number, column = 1): SourceLocation {
    const segs = this.lines[Math.min(Math.max(line, 1), this.lines.length) - 1] ?? [];
    let found = segs[0]?.at;
    // The first non-blank text of the line decides when the column is before any segment.
    for (const s of segs) if (s.column <= column - 1) found = s.at;
    return found ?? { fileIndex: 0, line: 1 };
  }

  /** A map for `prefixLines` lines of generated text (attributed to `at`) followed by this map. */
  withPrefix(prefixLines: number, at: SourceLocation): LineMap {
    const head = Array.from({ length: prefixLines }, () => [{ column: 0, at }]);
    return new LineMap([...head, ...this.lines]);
  }

  /** This map followed by another (the texts are joined with a newline). */
  concat(other: LineMap): LineMap {
    return new LineMap([...this.lines, ...other.lines]);
  }
}

const MARKER_PATTERN = new RegExp(`${MARKER_START}[^${MARKER_END}]*${MARKER_END}`, 'g');

/** Strips markers from a value that is not SQL (a config value, a ref argument). */
export function stripMarkers(s: string): string {
  return s.includes(MARKER_START) ? s.replace(MARKER_PATTERN, '') : s;
}
