/*
 * http_handler_pool.c — blocking handlers on a shared queue (http_handler_pool.h).
 *
 * A request handed over here is owned by its connection, which is suspended:
 * libmicrohttpd neither reads from it nor ends it until it is resumed, and it
 * lets another thread queue the response meanwhile. So the handler thread may
 * use the request freely, and must not touch it after resuming it (the server
 * may then complete and free it at once).
 */
#include "core/http_handler_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include <microhttpd.h>

#include "core/error.h"
#include "core/http_server_internal.h"
#include "core/log.h"

#define STAGE "http"

struct handler_pool {
	struct http_server *server;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct http_request *head, *tail; /* through pool_next */
	bool stopping;
	unsigned threads;
	pthread_t thread[];
};

static void *pool_main(void *arg)
{
	struct handler_pool *p = arg;

	log_scope_set_role(p->server->options.name);
	for (;;) {
		struct http_request *r;
		struct MHD_Connection *conn;

		pthread_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if ((r = p->head) == NULL) { /* stopping, and nothing left */
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		if ((p->head = r->pool_next) == NULL)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		conn = r->connection;
		http_request_run(r);
		MHD_resume_connection(conn); /* r is the server's again */
	}
}

hr_status handler_pool_start(struct http_server *s, unsigned threads, struct handler_pool **out,
			     struct hr_error *err)
{
	struct handler_pool *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p) + threads * sizeof(p->thread[0]))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	p->server = s;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	for (; p->threads < threads; p->threads++) {
		if (pthread_create(&p->thread[p->threads], NULL, pool_main, p) != 0) {
			handler_pool_stop(p);
			return hr_error_set(err, HR_E_IO, STAGE, "cannot start handler thread %u",
					    threads);
		}
	}
	*out = p;
	return HR_OK;
}

bool handler_pool_submit(struct handler_pool *p, struct http_request *r)
{
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		return false;
	}
	/* suspended before any handler thread can see it, so that its resume
	 * never comes first */
	MHD_suspend_connection(r->connection);
	r->pool_next = NULL;
	if (p->tail != NULL)
		p->tail->pool_next = r;
	else
		p->head = r;
	p->tail = r;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return true;
}

void handler_pool_stop(struct handler_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->threads; i++)
		pthread_join(p->thread[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	free(p);
}
