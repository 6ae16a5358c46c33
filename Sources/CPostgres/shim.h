#ifndef GROUPBUY_CPOSTGRES_SHIM_H
#define GROUPBUY_CPOSTGRES_SHIM_H
#include <libpq-fe.h>
#endif
