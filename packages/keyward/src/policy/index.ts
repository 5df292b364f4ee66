/**
 * @module policy
 * The pure policy evaluator: a classified request, a policy, usage, market data, the time and the
 * source address in; a decision out. No I/O, no clock. See README.md.
 */
export {
  decide, decideChain, orderNotional,
  type ChainLink, type ClassifiedRequest, type DecideInput, type Decision, type MarketData, type OrderFacts,
  type PolicyCode, type Usage,
} from './decide.js';
export { isSubset, type SubsetResult } from './subset.js';
export { cidrContains, cidrMatches, cidrsOutside, isAddressAllowed } from './cidr.js';
