/**
 * Decides which archive events belong to the tracked repositories, and gives the scanner a cheap
 * pre-filter: a regular expression run over the raw text of a whole decompressed chunk, so that only
 * lines naming a tracked repository (or carrying one of its known ids) are ever JSON-parsed.
 *
 * A repository is matched by name (case-insensitive, as GitHub treats names) or by id. An id is learnt
 * whenever an event with a tracked name is seen, so that the same repository keeps matching after a
 * rename or a transfer (and under the owner-less names some 2015 events carry, e.g. "mwEmbed").
 */
export interface RepoRef {
  id?: number;
  name: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class RepoMatcher {
  /** Lower-cased name → the tracked name as configured. */
  private readonly names = new Map<string, string>();
  /** Repository id → the tracked name it belongs to. */
  private readonly ids = new Map<number, string>();
  private regex: RegExp;

  constructor(tracked: readonly string[], knownIds: Iterable<{ tracked: string; repoId: number }> = []) {
    for (const t of tracked) this.names.set(t.toLowerCase(), t);
    for (const k of knownIds) {
      const t = this.names.get(k.tracked.toLowerCase());
      if (t && Number.isSafeInteger(k.repoId)) this.ids.set(k.repoId, t);
    }
    this.regex = this.build();
  }

  get trackedNames(): string[] {
    return [...this.names.values()];
  }

  /** Ids learnt or given so far, with the tracked repository each belongs to. */
  knownIds(): Array<{ tracked: string; repoId: number }> {
    return [...this.ids].map(([repoId, tracked]) => ({ tracked, repoId }));
  }

  /**
   * The pre-filter. Global and case-insensitive; a hit only means "worth parsing": the name may be in a
   * URL, a fork's name or a comment, and an id may be an actor's. `match` decides.
   */
  get prefilter(): RegExp {
    return this.regex;
  }

  /**
   * The tracked repository an event belongs to, or undefined. Learns the id of a repository seen under
   * a tracked name; returns `learned: true` then, so that the caller can re-run the pre-filter.
   */
  match(repo: RepoRef): { tracked: string; learned: boolean } | undefined {
    const byName = this.names.get(repo.name.toLowerCase());
    if (byName) {
      let learned = false;
      if (repo.id !== undefined && Number.isSafeInteger(repo.id) && !this.ids.has(repo.id)) {
        this.ids.set(repo.id, byName);
        this.regex = this.build();
        learned = true;
      }
      return { tracked: byName, learned };
    }
    const byId = repo.id === undefined ? undefined : this.ids.get(repo.id);
    return byId ? { tracked: byId, learned: false } : undefined;
  }

  private build(): RegExp {
    const parts = [...this.names.keys()].map((n) => {
      const [owner = '', name = ''] = n.split('/');
      // JSON may escape '/' as '\/'; the archive does not today, but the pattern costs nothing.
      return `${escapeRegExp(owner)}\\\\?/${escapeRegExp(name)}`;
    });
    // The repository id sits in `"repo":{"id":N,` (and `"repository":{"id":N,` before 2015).
    if (this.ids.size > 0) parts.push(`"id":\\s?(?:${[...this.ids.keys()].join('|')})(?![0-9])`);
    // An empty tracked list matches nothing (a never-matching pattern, not an empty one).
    return new RegExp(parts.length > 0 ? parts.join('|') : '(?!)', 'gi');
  }
}
