// Several base URLs serving one model: each request goes to the replica with the fewest requests
// in flight (ties go round-robin so an idle pool still spreads its load).

export class ReplicaPool {
  readonly urls: readonly string[];
  private readonly outstanding: number[];
  private next = 0;

  constructor(urls: string[]) {
    if (urls.length === 0) throw new Error('ReplicaPool needs at least one URL');
    this.urls = urls.map(normalizeBaseUrl);
    this.outstanding = this.urls.map(() => 0);
  }

  /** Picks the least-loaded replica and counts the request against it; call release() when done. */
  acquire(): number {
    let best = -1;
    for (let k = 0; k < this.urls.length; k++) {
      const i = (this.next + k) % this.urls.length;
      if (best < 0 || this.outstanding[i] < this.outstanding[best]) best = i;
    }
    this.outstanding[best]++;
    this.next = (best + 1) % this.urls.length;
    return best;
  }

  release(index: number): void {
    this.outstanding[index] = Math.max(0, this.outstanding[index] - 1);
  }

  inFlight(): number[] {
    return [...this.outstanding];
  }
}

/** "http://h:8080/" → "http://h:8080"; a missing scheme gets http://. */
export function normalizeBaseUrl(url: string): string {
  let u = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) u = `http://${u}`;
  return u.replace(/\/+$/, '');
}
