/*
 * Responses of the SM-DP+ handlers (see reply.h).
 */
#include "common/json.h"
#include "smdpplus/reply.h"

enum rsp_status reply_json_status(int json_rc)
{
	switch (json_rc) {
	case JSON_OK:
		return RSP_OK;
	case JSON_E_MISSING:
		return RSP_E_FIELD_MISSING;
	case JSON_E_INVALID:
		return RSP_E_FIELD_INVALID;
	default:
		return RSP_E_INTERNAL;
	}
}

cJSON *reply_success(void)
{
	return json_response_success();
}

void reply_send(struct http_request *req, enum rsp_status st, const char *detail,
		const cJSON *resp)
{
	if (st != RSP_OK || !resp) {
		status_send(req, st, detail);
		return;
	}
	http_request_set_outcome(req, JSON_STATUS_SUCCESS);
	http_send_json(req, resp);
}
