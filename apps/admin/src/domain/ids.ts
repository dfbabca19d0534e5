/**
 * An id as the apps issue them (uuids, order ids like ORD-1a2b): 1-100 letters, digits and _ . : -,
 * starting with a letter or digit. The one rule for every id the console puts in a path or reads
 * from a form (orders, the order search, the timeline).
 */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
export const ENTITY_ID_WORDS = 'letters, digits, _ . : - (1 to 100)';
