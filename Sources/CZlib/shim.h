#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
// inflateInit2 is a function-like macro (it passes ZLIB_VERSION and sizeof(z_stream)),
// which Swift cannot import; this wrapper makes it callable.
static inline int czlib_inflate_init2(z_streamp strm, int windowBits) {
  return inflateInit2(strm, windowBits);
}
#endif
