// An ES module bundle (a program with top-level await) evaluates the ES modules it imports in order, but runs a
// CommonJS file where its importer's code starts, after all of them: importing deprecations.cjs through this module
// puts it first, ahead of the program (project/entry.ts).
import './deprecations.cjs';
