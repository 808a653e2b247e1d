/* netdb.h for migralint's wasm32 build: only what libpg_query's headers name. */
#ifndef MIGRALINT_WASM_NETDB_H
#define MIGRALINT_WASM_NETDB_H

struct addrinfo;

#define NI_MAXHOST 1025
#define NI_MAXSERV 32

#endif
