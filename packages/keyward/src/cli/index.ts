/**
 * @module cli
 * The keyward binary. Nothing imports it; it imports main/ (composition roots).
 */
export {};
