// An ES module bundle (a program with top-level await) evaluates the ES modules it imports in order: importing this
// ahead of the program makes process.argv[1] its one bin (main-script.cjs), which the banner has set as require.main.
import setMainScript from './main-script.cjs';

if (globalThis.__sealMain) setMainScript(globalThis.__sealMain.filename);
