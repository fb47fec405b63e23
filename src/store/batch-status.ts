/** Where a batch run is. Terminal: COMPLETED, CANCELLED, FAILED. */
export enum BatchStatus {
  /** Targets are being read and their communications recorded and queued, chunk by chunk. */
  EXPANDING = 'EXPANDING',
  /** Every target has been read; communications are being rendered and delivered. */
  RUNNING = 'RUNNING',
  /** Every communication of the run has settled (delivered, failed or cancelled). */
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  /** The targets could not be read (a back-office system stayed down through every retry). */
  FAILED = 'FAILED',
}

export const ACTIVE_BATCH: readonly BatchStatus[] = [BatchStatus.EXPANDING, BatchStatus.RUNNING];

export function isTerminalBatch(status: string): boolean {
  return status === BatchStatus.COMPLETED || status === BatchStatus.CANCELLED || status === BatchStatus.FAILED;
}
