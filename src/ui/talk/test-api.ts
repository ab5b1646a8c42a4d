/**
 * `window.mshareExplorer.talk`: talk mode for tests.
 *
 *   await page.evaluate(() => window.mshareExplorer.talk.permalink())        // the full URL
 *   await page.evaluate(() => window.mshareExplorer.talk.present(['tree']))  // presenter on
 *
 * `present(views)` takes one or two of the view names of views.ts and rejects an unknown
 * name (or an empty list) with `no view "bogus" (views: tree, chart, ...)`, as the exports do:
 * a typo in a test fails where it is made. A link's `&views=bogus` instead falls back to the
 * default views, since a reader cannot fix someone else's link. `present()` without a list
 * shows the talk pack's views for the scenario, else the last used.
 *   await page.evaluate(() => window.mshareExplorer.talk.exportSvg('tree'))  // SVG text
 *   await page.evaluate(() => window.mshareExplorer.talk.exportPng('chart', 2)) // {width, height, base64}
 *
 * exportPng's scale is 1, 2 or 4 (the export menu's); anything else rejects with a RangeError.
 */
import { whenIdle } from '../actions';
import { exportPng, exportSvg } from '../export/export-view';
import { makeLink } from './permalink';
import { enterPresenter, exitPresenter } from './presenter-actions';
import { talkStore, type TalkMode } from './talk-store';
import { TALK_VIEWS, parseViewList, type TalkViewId } from './views';

export interface TalkTestApi {
  permalink(): Promise<string>;
  present(views?: string[]): Promise<void>;
  leave(): Promise<void>;
  state(): { mode: TalkMode; views: TalkViewId[]; notice: string | null };
  exportSvg(view: string): Promise<string>;
  exportPng(view: string, scale: number): Promise<{ width: number; height: number; base64: string }>;
}

/** The view named `v`, or an error naming it and the views there are. */
function view(v: string): TalkViewId {
  const [id] = parseViewList(String(v), 1);
  if (!id) throw new Error(`no view "${v}" (views: ${TALK_VIEWS.join(', ')})`);
  return id;
}

function viewList(views: string[]): TalkViewId[] {
  if (!Array.isArray(views) || views.length === 0) throw new Error(`no views given (views: ${TALK_VIEWS.join(', ')})`);
  return views.map(view);
}

export function talkTestApi(ready: Promise<void>): TalkTestApi {
  return {
    permalink: async () => {
      await ready;
      return makeLink();
    },
    present: async (views) => {
      // Checked before anything changes: a rejected call leaves the mode as it was.
      enterPresenter(views === undefined ? undefined : viewList(views));
      await whenIdle();
    },
    leave: async () => {
      exitPresenter();
      await whenIdle();
    },
    state: () => {
      const t = talkStore.getState();
      return { mode: t.mode, views: [...t.views], notice: t.notice?.text ?? null };
    },
    exportSvg: async (v) => (await exportSvg(view(v))).text,
    exportPng: async (v, scale) => {
      const png = await exportPng(view(v), scale);
      const bytes = new Uint8Array(await png.blob.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { width: png.width, height: png.height, base64: btoa(bin) };
    },
  };
}
