/*
 * The bundle's tables of modules served by path and by name: the globals they are kept under, and what they hold
 * (a leaf: the tables' makers and the bundle's require, full-require.ts, all name them).
 */

/** What a table serves: code and JSON (an addon is the addons' business, other data is for seal.assets). */
export const BUNDLES = /\.(?:[cm]?js|json)$/;

/** Virtual path → a function that requires the module bundled for it (bundled-modules.ts). */
export const MODULES_KEY = 'seal.modules';
/** Package name → the virtual path its require loads (served-names.ts). */
export const NAMES_KEY = 'seal.names';
