import type { CallOptions } from '../../core/store/api/client';
import type { OperationArgs, OperationName, OperationResult } from '../../core/store/api/operations';
import type { ExtensionServices } from '../services';

/**
 * One named operation on the workspace's store, in its worker (the extension host runs no SQL). A
 * missing store file reads as an empty store, with every table present.
 */
export function storeCall<K extends OperationName>(s: ExtensionServices, op: K, args: OperationArgs<K>, options?: CallOptions): Promise<OperationResult<K>> {
  return s.store.client().call(op, args, options);
}
