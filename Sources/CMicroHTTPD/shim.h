// The C side of MicroHTTP: <microhttpd.h> plus fixed-arity wrappers of its variadic functions,
// which Swift cannot import. Nothing else belongs here: all logic lives in Swift.
#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stdarg.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

// MHD_start_daemon is variadic; this passes MicroHTTP's one option set, each with its exact C type.
// The logger comes first so that errors in the later options are reported through it.
// `port` only labels MHD's messages: the socket is bound to `bind_address`.
// thread_pool_size 0 leaves the option out (MHD warns about an explicit 0 and rejects any size
// with thread-per-connection): an MHD_OPTION_END in its slot ends the list there.
static inline struct MHD_Daemon *
CMicroHTTPD_start_daemon(unsigned int flags,
                         uint16_t port,
                         const struct sockaddr *bind_address,
                         MHD_AccessHandlerCallback access_handler,
                         void *(*uri_logger)(void *cls, const char *uri,
                                             struct MHD_Connection *connection),
                         MHD_RequestCompletedCallback completed,
                         MHD_LogCallback logger,
                         void *context,
                         unsigned int connection_timeout_seconds,
                         unsigned int connection_limit,
                         unsigned int per_ip_connection_limit,
                         unsigned int thread_pool_size,
                         size_t connection_memory_limit)
{
    return MHD_start_daemon(flags, port, NULL, NULL, access_handler, context,
                            MHD_OPTION_EXTERNAL_LOGGER, logger, context,
                            MHD_OPTION_SOCK_ADDR, bind_address,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, context,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_connection_limit,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_limit,
                            thread_pool_size > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
                            thread_pool_size,
                            MHD_OPTION_END);
}

// MHD_get_daemon_info is variadic; the bound-port query needs no extra argument. 0 if unknown.
static inline uint16_t
CMicroHTTPD_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

// MHD_get_connection_info is variadic; the socket query needs no extra argument. -1 if unknown.
static inline int
CMicroHTTPD_connection_fd(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

// MHD_get_connection_info is variadic; the peer's address needs no extra argument. NULL if unknown.
// The sockaddr lives as long as the connection.
static inline const struct sockaddr *
CMicroHTTPD_client_address(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

#endif
