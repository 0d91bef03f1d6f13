/* Error codes: a negative int whose low byte is the kind of error and whose
 * upper bits name the source file that raised it (see strerror()). */
#ifndef ERRNO_H
#define ERRNO_H

#define ERRNO_KIND_MASK 0xff
#define ERRNO_FILE_SHIFT 8

/* The kinds, with the numbers POSIX systems commonly use. */
#define EPERM_K            1
#define ENOENT_K           2
#define EIO_K              5
#define ENXIO_K            6
#define E2BIG_K            7
#define ENOEXEC_K          8
#define EBADF_K            9
#define EAGAIN_K          11
#define ENOMEM_K          12
#define EACCES_K          13
#define EFAULT_K          14
#define EBUSY_K           16
#define EEXIST_K          17
#define ENODEV_K          19
#define ENOTDIR_K         20
#define EINVAL_K          22
#define ENFILE_K          23
#define ENOTTY_K          25
#define EFBIG_K           27
#define ENOSPC_K          28
#define EPIPE_K           32
#define ERANGE_K          34
#define ENAMETOOLONG_K    36
#define ENOSYS_K          38
#define ELOOP_K           40
#define ENODATA_K         61
#define EPROTO_K          71
#define EBADMSG_K         74
#define EILSEQ_K          84
#define EMSGSIZE_K        90
#define EPROTONOSUPPORT_K 93
#define ENOTSUP_K         95
#define EAFNOSUPPORT_K    97
#define EADDRINUSE_K      98
#define EADDRNOTAVAIL_K   99
#define ENETDOWN_K       100
#define ENETUNREACH_K    101
#define ECONNABORTED_K   103
#define ECONNRESET_K     104
#define ENOBUFS_K        105
#define ENOTCONN_K       107
#define ETIMEDOUT_K      110
#define ECONNREFUSED_K   111
#define EHOSTUNREACH_K   113
#define EALREADY_K       114
#define EINPROGRESS_K    115
#define ECANCELED_K      125
#define ENOKEY_K         126 /* credentials missing */
#define EKEYREJECTED_K   129 /* credentials refused */

#define _E(kind) ((kind) | (ERRFILE << ERRNO_FILE_SHIFT))

#define EPERM           _E(EPERM_K)
#define ENOENT          _E(ENOENT_K)
#define EIO             _E(EIO_K)
#define ENXIO           _E(ENXIO_K)
#define E2BIG           _E(E2BIG_K)
#define ENOEXEC         _E(ENOEXEC_K)
#define EBADF           _E(EBADF_K)
#define EAGAIN          _E(EAGAIN_K)
#define ENOMEM          _E(ENOMEM_K)
#define EACCES          _E(EACCES_K)
#define EFAULT          _E(EFAULT_K)
#define EBUSY           _E(EBUSY_K)
#define EEXIST          _E(EEXIST_K)
#define ENODEV          _E(ENODEV_K)
#define ENOTDIR         _E(ENOTDIR_K)
#define EINVAL          _E(EINVAL_K)
#define ENFILE          _E(ENFILE_K)
#define ENOTTY          _E(ENOTTY_K)
#define EFBIG           _E(EFBIG_K)
#define ENOSPC          _E(ENOSPC_K)
#define EPIPE           _E(EPIPE_K)
#define ERANGE          _E(ERANGE_K)
#define ENAMETOOLONG    _E(ENAMETOOLONG_K)
#define ENOSYS          _E(ENOSYS_K)
#define ELOOP           _E(ELOOP_K)
#define ENODATA         _E(ENODATA_K)
#define EPROTO          _E(EPROTO_K)
#define EBADMSG         _E(EBADMSG_K)
#define EILSEQ          _E(EILSEQ_K)
#define EMSGSIZE        _E(EMSGSIZE_K)
#define EPROTONOSUPPORT _E(EPROTONOSUPPORT_K)
#define ENOTSUP         _E(ENOTSUP_K)
#define EAFNOSUPPORT    _E(EAFNOSUPPORT_K)
#define EADDRINUSE      _E(EADDRINUSE_K)
#define EADDRNOTAVAIL   _E(EADDRNOTAVAIL_K)
#define ENETDOWN        _E(ENETDOWN_K)
#define ENETUNREACH     _E(ENETUNREACH_K)
#define ECONNABORTED    _E(ECONNABORTED_K)
#define ECONNRESET      _E(ECONNRESET_K)
#define ENOBUFS         _E(ENOBUFS_K)
#define ENOTCONN        _E(ENOTCONN_K)
#define ETIMEDOUT       _E(ETIMEDOUT_K)
#define ECONNREFUSED    _E(ECONNREFUSED_K)
#define EHOSTUNREACH    _E(EHOSTUNREACH_K)
#define EALREADY        _E(EALREADY_K)
#define EINPROGRESS     _E(EINPROGRESS_K)
#define ECANCELED       _E(ECANCELED_K)
#define ENOKEY          _E(ENOKEY_K)
#define EKEYREJECTED    _E(EKEYREJECTED_K)

/* The kind of a (negative) return code, to compare with the *_K values. */
#define errno_kind(rc)  ((-(rc)) & ERRNO_KIND_MASK)
/* Does rc carry the same kind of error as the (positive) code e? */
#define rc_is(rc, e)    (errno_kind(rc) == ((e) & ERRNO_KIND_MASK))

const char *strerror(int rc);

#endif
