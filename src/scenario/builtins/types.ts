/** A built-in scenario: shipped with the app (the scenario menu) and run by CI through the CLI. */
export interface BuiltinScenario {
  /** Stable id: `npm run sim -- builtin:ID`, permalinks, tests. */
  id: string;
  title: string;
  /** One or two sentences: what the scenario shows and which rules it exercises. */
  description: string;
  /** The script (SCENARIO.md). Ends in expects that hold. */
  source: string;
}
