// ours client x ref server, every transport forced in turn (scenarios: cases.mjs).
import { servers } from './support.mjs';
import { transportMatrix } from './cases.mjs';

transportMatrix('ours', servers().find((s) => s.name === 'ref'), 18410);
