// The value helpers live in src/tensor/pyrepr.ts (src/data uses them too and must not import nn).
export { pyFloat, pyBool, pyList, pyTuple } from '../tensor/pyrepr.js';
