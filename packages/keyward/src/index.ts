/**
 * The keyward library: what other programs may import. The CLI is `keyward` (dist/cli/main.js).
 */
export { signRequest, type SignRequestInput, type SignedHttpRequest } from './main/index.js';
export { SecureBuffer } from './crypto/index.js';
