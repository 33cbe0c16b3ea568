import { ErrorCounters } from '@escher/core';

/** Rejections counted by error code (`ESCHER_PKI_…`): the kernel's error counter under the PKI's name. */
export class RejectionCounters extends ErrorCounters {}
