/**
 * @module tokens
 * The token tree: issue children that only narrow, verify in constant time, revoke subtrees.
 */
export { createTokenService, parseStoredPolicy, ROOT_POLICY, type IssueInput, type TokenService, type TokenServiceDeps, type Verified } from './token-service.js';
export { subtreeOf, ancestorsOf, type TreeNode } from './token-tree.js';
export { generateToken, hashToken } from './token-id.js';
