/** posix_fadvise(2) on an open file descriptor: the page-cache advice experiments use. */
import { native } from '../native/loader';
import { FADVISE_NAMES } from '../native/tables';
import { validateChoice, validateCount } from '../util/validate';

/** posix_fadvise advice by name: POSIX_FADV_DONTNEED is 'dontneed'. */
export type FileAdvice = (typeof FADVISE_NAMES)[number];
/** The advice names fadvise accepts. */
export const FILE_ADVICE: readonly FileAdvice[] = FADVISE_NAMES;

/**
 * posix_fadvise(fd, offsetBytes, lengthBytes, advice) (mm/fadvise.c). Throws
 * ERR_INVALID_ARG_* for bad arguments and an errno error (EBADF, ESPIPE, EINVAL) from
 * the call.
 */
export function fadvise(fd: number, offsetBytes: number, lengthBytes: number, advice: FileAdvice): void {
  native.fadvise(validateCount(fd, 'fd', 0, 2 ** 31 - 1), validateCount(offsetBytes, 'offsetBytes', 0), validateCount(lengthBytes, 'lengthBytes', 0), validateChoice(advice, 'advice', FILE_ADVICE));
}
