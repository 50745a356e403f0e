// Types of the split-bundle loader (split.js).
/** Whether this runs inside an ncc (webpack) bundle. */
export const bundled: boolean;
/** Node's own require, which webpack does not follow. */
export const nodeRequire: NodeJS.Require;
/** Loads dist/split/<name>/index.js, found by walking up from `from`. */
export function loadSplit(name: string, from?: string): unknown;
