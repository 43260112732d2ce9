/* server.h: the HTTP listener (libmicrohttpd). */
#ifndef TF_HTTP_SERVER_H
#define TF_HTTP_SERVER_H
#include "service/service.h"

struct http_server;

/* Starts listening on svc->cfg.listen; serving runs on the library's threads. */
enum tf_err http_server_start(struct tf_service *svc, struct http_server **out);
/* Stops accepting, lets requests in flight and the slow pool finish, then stops. */
void http_server_stop(struct http_server *srv);

#endif
