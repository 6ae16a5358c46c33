#ifndef GROUPBUY_COPENSSL_SHIM_H
#define GROUPBUY_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl; Swift cannot call macros.
static inline int groupbuy_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
#endif
