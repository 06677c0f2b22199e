// The ETag cache: bodies of earlier 200 answers to GETs, sent back as `If-None-Match`
// and served again when the server answers 304.

/** One remembered answer. */
export interface CachedAnswer {
  etag: string;
  body: string;
  headers: [string, string][];
}

/** Storage for remembered answers, by key. May be sync or async. */
export interface ResponseCache {
  get(key: string): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer): void | Promise<void>;
  clear(): void | Promise<void>;
}

export interface MemoryCacheOptions {
  /** Answers kept at most (least recently used go first). Default 256. */
  maxEntries?: number;
  /** Body characters kept at most, all answers together. Default 4 Mi. */
  maxChars?: number;
}

/** An in-memory least-recently-used cache, bounded by entries and by body size. */
export function memoryCache(options: MemoryCacheOptions = {}): ResponseCache {
  const maxEntries = options.maxEntries ?? 256;
  const maxChars = options.maxChars ?? 4 * 1024 * 1024;
  const entries = new Map<string, CachedAnswer>();
  let chars = 0;

  const remove = (key: string) => {
    const old = entries.get(key);
    if (old) {
      chars -= old.body.length;
      entries.delete(key);
    }
  };

  return {
    get(key) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
      }
      return hit;
    },
    set(key, answer) {
      remove(key);
      if (answer.body.length > maxChars) return;
      entries.set(key, answer);
      chars += answer.body.length;
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && chars <= maxChars) break;
        remove(oldest);
      }
    },
    clear() {
      entries.clear();
      chars = 0;
    },
  };
}
