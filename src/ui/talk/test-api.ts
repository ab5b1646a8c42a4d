/**
 * `window.mshareExplorer.talk`: talk mode for tests.
 *
 *   await page.evaluate(() => window.mshareExplorer.talk.permalink())        // the full URL
 *   await page.evaluate(() => window.mshareExplorer.talk.present(['tree']))  // presenter on
 *
 * `present(views)` takes an array of one or two of the view names of views.ts, each spelled
 * exactly and given once, and rejects an unknown name with `no view "bogus" (views: tree,
 * chart, ...)`, as the exports do: a typo in a test fails where it is made ('TREE' and
 * 'tree,bogus' are unknown names). It also rejects an empty list, a third view (presenter mode
 * shows two) and a single string (an array is expected), and changes nothing then. A link's
 * `&views=bogus` instead falls back to the default views, since a reader cannot fix someone
 * else's link. `present()` without a list shows the talk pack's views for the scenario, else
 * the last used. Calls run in order with the rest of the test API (src/ui/test-api-guard.ts).
 *   await page.evaluate(() => window.mshareExplorer.talk.exportSvg('tree'))  // SVG text
 *   await page.evaluate(() => window.mshareExplorer.talk.exportPng('chart', 2)) // {width, height, base64}
 *
 * exportPng's scale is 1, 2 or 4 (the export menu's); anything else rejects with a RangeError.
 */
import { whenIdle } from '../actions';
import { PNG_SCALES, exportPng, exportSvg } from '../export/export-view';
import { makeLink } from './permalink';
import { enterPresenter, exitPresenter } from './presenter-actions';
import { talkStore, type TalkMode } from './talk-store';
import { inOrder, shown } from '../test-api-guard';
import { TALK_VIEWS, isTalkView, type TalkViewId } from './views';

export interface TalkTestApi {
  permalink(): Promise<string>;
  present(views?: string[]): Promise<void>;
  leave(): Promise<void>;
  state(): { mode: TalkMode; views: TalkViewId[]; notice: string | null };
  exportSvg(view: string): Promise<string>;
  exportPng(view: string, scale: number): Promise<{ width: number; height: number; base64: string }>;
}

const VIEW_NAMES = TALK_VIEWS.join(', ');

/** Presenter mode shows one view or two side by side. */
const MAX_PRESENTED = 2;

/**
 * The view named exactly `v`, else an error naming it and the views there are: no case
 * folding, trimming or lists ('TREE' and 'tree,bogus' exported the tree).
 */
function view(fn: string, v: unknown): TalkViewId {
  if (typeof v !== 'string') throw new TypeError(`${fn}: expected a view name (a string: ${VIEW_NAMES}), got ${shown(v)}`);
  const name = v;
  if (!isTalkView(name)) throw new Error(`no view "${name}" (views: ${VIEW_NAMES})`);
  return name;
}

/** One or two view names, each exact and given once (a third was dropped without a word). */
function viewList(views: unknown): TalkViewId[] {
  if (!Array.isArray(views)) throw new TypeError(`present: expected an array of view names such as ['tree', 'chart'], got ${shown(views)}`);
  if (views.length === 0) throw new Error(`present: no views given (views: ${VIEW_NAMES})`);
  const ids = views.map((v) => view('present', v));
  if (ids.length > MAX_PRESENTED) throw new RangeError(`present: presenter mode shows at most ${MAX_PRESENTED} views, got ${ids.length} (${ids.join(', ')})`);
  const twice = ids.find((v, i) => ids.indexOf(v) !== i);
  if (twice) throw new Error(`present: view "${twice}" given twice`);
  return ids;
}

export function talkTestApi(ready: Promise<void>): TalkTestApi {
  return {
    permalink: () =>
      inOrder(async () => {
        await ready;
        return makeLink();
      }),
    present: async (views) => {
      // Checked before anything changes: a rejected call leaves the mode as it was.
      const ids = views === undefined ? undefined : viewList(views);
      return inOrder(async () => {
        enterPresenter(ids);
        await whenIdle();
      });
    },
    leave: () =>
      inOrder(async () => {
        exitPresenter();
        await whenIdle();
      }),
    state: () => {
      const t = talkStore.getState();
      return { mode: t.mode, views: [...t.views], notice: t.notice?.text ?? null };
    },
    exportSvg: async (v) => {
      const id = view('exportSvg', v);
      return inOrder(async () => (await exportSvg(id)).text);
    },
    exportPng: async (v, scale) => {
      const id = view('exportPng', v);
      if (!PNG_SCALES.includes(scale)) throw new RangeError(`exportPng: scale must be 1, 2 or 4 (got ${shown(scale)})`);
      const png = await inOrder(() => exportPng(id, scale));
      const bytes = new Uint8Array(await png.blob.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { width: png.width, height: png.height, base64: btoa(bin) };
    },
  };
}
