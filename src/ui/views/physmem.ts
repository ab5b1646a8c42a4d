/**
 * Physical memory (canvas): one pixel per frame, 256 frames (1 MiB) a row, coloured by use,
 * scaled up without smoothing. Hover reports the frame under the pointer; click selects it.
 */
import { readConsistent } from '../engine-client';
import { FRAME_USE_COLOURS, rgb } from '../palette';
import { select as selectUi, store } from '../store';

export const COLS = 256;

export interface PhysMemView {
  draw(): boolean;
  resize(w: number, h: number): void;
  destroy(): void;
}

export function createPhysMem(container: HTMLElement, onHover: (pfn: number | null) => void): PhysMemView {
  const canvas = document.createElement('canvas');
  canvas.className = 'pm-canvas';
  canvas.setAttribute('role', 'img');
  container.append(canvas);
  const off = document.createElement('canvas');
  let image: ImageData | null = null;
  let lut = new Uint32Array(16);
  let lutTheme = '';
  let accent = '#000';
  let scale = 1;
  let rows = 0;
  let box = { w: 0, h: 0 };

  function buildLut(): void {
    const theme = document.documentElement.dataset.theme ?? 'light';
    if (theme === lutTheme) return;
    lutTheme = theme;
    const css = getComputedStyle(document.documentElement);
    const free = css.getPropertyValue('--free-frame').trim() || '#eeeeee';
    accent = css.getPropertyValue('--accent').trim() || '#000';
    lut = new Uint32Array(16);
    for (let i = 0; i < 16; i++) {
      const [r, g, b] = rgb(i === 0 ? free : FRAME_USE_COLOURS[i] || '#ff00ff');
      lut[i] = (255 << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA
    }
  }

  const pfnAt = (e: MouseEvent): number | null => {
    const r = canvas.getBoundingClientRect();
    const x = Math.floor((e.clientX - r.left) / scale);
    const y = Math.floor((e.clientY - r.top) / scale);
    if (x < 0 || x >= COLS || y < 0 || y >= rows) return null;
    return y * COLS + x;
  };
  canvas.addEventListener('mousemove', (e) => onHover(pfnAt(e)));
  canvas.addEventListener('mouseleave', () => onHover(null));
  canvas.addEventListener('click', (e) => {
    const p = pfnAt(e);
    if (p !== null) selectUi({ frame: p });
  });

  return {
    resize(w, h) {
      box = { w, h };
    },
    draw() {
      const s = store.getState();
      const snap = s.snapshot;
      if (!snap) return true;
      buildLut();
      const ok = readConsistent(snap.generation, (b) => {
        rows = Math.ceil(b.nframes / COLS);
        if (!image || image.height !== rows) {
          image = new ImageData(COLS, rows);
          off.width = COLS;
          off.height = rows;
        }
        const px = new Uint32Array(image.data.buffer);
        const use = b.desc.use;
        for (let i = 0; i < b.nframes; i++) px[i] = lut[use[i]];
        return true;
      });
      if (!ok || !image) return false;
      off.getContext('2d')!.putImageData(image, 0, 0);
      const { w, h } = box;
      if (!w || !h) return true;
      // Down to 8 frames a pixel each way: a 2 GiB map then takes 64 px of a short screen.
      scale = Math.max(0.125, Math.min(w / COLS, h / rows));
      const cw = Math.floor(COLS * scale);
      const ch = Math.floor(rows * scale);
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.floor(cw * dpr);
      canvas.height = Math.floor(ch * dpr);
      canvas.style.width = `${cw}px`;
      canvas.style.height = `${ch}px`;
      const ctx = canvas.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.drawImage(off, 0, 0, cw, ch);
      const f = s.selection.frame;
      if (f !== null && f < rows * COLS) {
        ctx.strokeStyle = accent;
        ctx.lineWidth = 2;
        const sz = Math.max(6, scale * 2);
        ctx.strokeRect((f % COLS) * scale + scale / 2 - sz / 2, Math.floor(f / COLS) * scale + scale / 2 - sz / 2, sz, sz);
      }
      canvas.setAttribute('aria-label', `Physical memory: ${b2s(snap.nframes)} frames, ${Math.round((snap.meminfo.MemFree / snap.meminfo.MemTotal) * 100)}% free`);
      return true;
    },
    destroy() {
      canvas.remove();
    },
  };
}

function b2s(n: number): string {
  return n.toLocaleString('en-US');
}
