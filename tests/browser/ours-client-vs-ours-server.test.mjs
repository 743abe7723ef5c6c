// ours client x ours server, every transport forced in turn (scenarios: cases.mjs).
import { servers } from './support.mjs';
import { transportMatrix } from './cases.mjs';

transportMatrix('ours', servers().find((s) => s.name === 'ours'), 18420);
