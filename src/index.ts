// Bundled by ncc into dist/index.js, which action.yml runs.
import { main } from './main';

void main();
