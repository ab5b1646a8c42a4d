/**
 * The thin React wrapper every d3 view uses: creates the framework-free view in a div,
 * registers it with the frame loop, and asks for a redraw when the store slice it watches
 * changes or the div is resized.
 */
import { useEffect, useRef } from 'react';
import { addDrawer, invalidate, type Drawer } from './frame-loop';
import { store, type UiState } from './store';

export interface ViewLike extends Drawer {
  destroy(): void;
  /** The container's size, from a ResizeObserver (views never read layout while drawing). */
  resize?(width: number, height: number): void;
}

function sameList(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

export function useView<V extends ViewLike>(
  make: (el: HTMLDivElement) => V,
  watch: (s: UiState) => unknown[],
  name = 'view',
): { ref: React.RefObject<HTMLDivElement | null>; view: React.RefObject<V | null> } {
  const ref = useRef<HTMLDivElement | null>(null);
  const view = useRef<V | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const v = make(el);
    view.current = v;
    const drawer: Drawer = { draw: () => v.draw(), name };
    const remove = addDrawer(drawer);
    let last = watch(store.getState());
    const unsub = store.subscribe((s) => {
      const next = watch(s);
      if (!sameList(last, next)) {
        last = next;
        invalidate(drawer);
      }
    });
    const ro = new ResizeObserver((entries) => {
      const r = entries[entries.length - 1].contentRect;
      v.resize?.(r.width, r.height);
      invalidate(drawer);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      unsub();
      remove();
      v.destroy();
      view.current = null;
    };
    // The view is made once per mount; make/watch are read at mount time.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return { ref, view };
}
