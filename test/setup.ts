import { afterAll } from 'vitest';
import { removeTempDirs } from './fixtures/context.ts';

// Every test file's scratch dirs go when its tests are done.
afterAll(removeTempDirs);
