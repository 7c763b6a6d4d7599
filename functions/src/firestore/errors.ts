// gRPC status codes the Firestore client reports on its errors.
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_ALREADY_EXISTS = 6;

function hasCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export function isAlreadyExists(error: unknown): boolean {
  return hasCode(error, GRPC_ALREADY_EXISTS);
}

/** The request itself is wrong (e.g. a reserved field name): retrying cannot help. */
export function isInvalidArgument(error: unknown): boolean {
  return hasCode(error, GRPC_INVALID_ARGUMENT);
}

const GRPC_FAILED_PRECONDITION = 9;

/** A write's precondition (e.g. the document's update time) no longer holds: someone wrote first. */
export function isFailedPrecondition(error: unknown): boolean {
  return hasCode(error, GRPC_FAILED_PRECONDITION);
}
