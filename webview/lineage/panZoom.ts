/**
 * Pan (drag the background) and zoom (wheel, around the pointer) of the drawing, as one transform
 * on the viewport group. The transform is the view state kept across re-renders and reloads.
 */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

export class PanZoom {
  transform: Transform = { x: 0, y: 0, k: 1 };
  onChange: (t: Transform) => void = () => undefined;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly viewport: SVGGElement,
  ) {
    svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = svg.getBoundingClientRect();
      this.zoomAt(e.clientX - rect.left, e.clientY - rect.top, Math.exp(-e.deltaY * 0.0015));
    }, { passive: false });
    let drag: { x: number; y: number; tx: number; ty: number } | undefined;
    svg.addEventListener('pointerdown', (e) => {
      if ((e.target as Element).closest('.node')) return;
      drag = { x: e.clientX, y: e.clientY, tx: this.transform.x, ty: this.transform.y };
      svg.setPointerCapture(e.pointerId);
      svg.classList.add('panning');
    });
    svg.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.set({ ...this.transform, x: drag.tx + e.clientX - drag.x, y: drag.ty + e.clientY - drag.y });
    });
    const end = () => {
      drag = undefined;
      svg.classList.remove('panning');
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
  }

  set(t: Transform): void {
    this.transform = { x: t.x, y: t.y, k: Math.min(4, Math.max(0.05, t.k)) };
    this.viewport.setAttribute('transform', `translate(${this.transform.x.toFixed(1)},${this.transform.y.toFixed(1)}) scale(${this.transform.k.toFixed(4)})`);
    this.onChange(this.transform);
  }

  zoomAt(px: number, py: number, factor: number): void {
    const { x, y, k } = this.transform;
    const nk = Math.min(4, Math.max(0.05, k * factor));
    this.set({ k: nk, x: px - ((px - x) * nk) / k, y: py - ((py - y) * nk) / k });
  }

  /** The zoom that shows the whole drawing, never magnified beyond 1:1 (small graphs stay readable, not huge). */
  fitScale(width: number, height: number): number {
    const rect = this.svg.getBoundingClientRect();
    return Math.min(1, (rect.width - 16) / Math.max(1, width), (rect.height - 16) / Math.max(1, height));
  }

  /** Whole drawing in view at fitScale, centred. */
  fit(width: number, height: number): void {
    const rect = this.svg.getBoundingClientRect();
    const k = this.fitScale(width, height);
    this.set({ k, x: (rect.width - width * k) / 2, y: Math.max(8, (rect.height - height * k) / 2) });
  }

  /** Centres a point of the drawing, keeping the zoom. */
  centre(px: number, py: number): void {
    const rect = this.svg.getBoundingClientRect();
    this.set({ ...this.transform, x: rect.width / 2 - px * this.transform.k, y: rect.height / 2 - py * this.transform.k });
  }
}
