/** Errors counted by code (`ESCHER_UWS_…`): the kernel's counter, shared with the other services. */
export { ErrorCounters } from '@escher/core';
