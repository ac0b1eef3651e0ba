-- SM-DP+ schema: profile inventory, download orders, RSP sessions, notifications received
-- from eUICCs, and the queue of ES2+ HandleDownloadProgressInfo calls to operators.
--
-- All state that must outlive one request lives here, so any SM-DP+ process on the same
-- database can serve any step of a download. Handlers lock the rows they change
-- (SELECT ... FOR UPDATE) inside one transaction per request.

-- Lifecycle states (SGP.22 ES2+ profile states). The SM-DP+ changes them through one
-- transition function; the CHECK keeps stray values out.
CREATE DOMAIN rsp_profile_state AS text CHECK (VALUE IN (
	'Available', 'Allocated', 'Linked', 'Confirmed', 'Released',
	'Downloaded', 'Installed', 'Error', 'Unavailable'));

CREATE TABLE profiles (
	id                    bigserial PRIMARY KEY,
	-- ICCID digits without F padding; the Luhn digit is checked at import.
	iccid                 text NOT NULL UNIQUE CHECK (iccid ~ '^[0-9]{19,20}$'),
	profile_type          text NOT NULL CHECK (length(profile_type) BETWEEN 1 AND 64),
	-- StoreMetadata serviceProviderName (SIZE(0..32)) and profileName (SIZE(0..64)).
	service_provider_name text NOT NULL CHECK (octet_length(service_provider_name) <= 32),
	profile_name          text NOT NULL CHECK (octet_length(profile_name) <= 64),
	-- Operator allowed to order the profile over ES2+; NULL means any operator.
	operator_id           text,
	package               bytea NOT NULL,
	package_sha256        bytea NOT NULL CHECK (length(package_sha256) = 32),
	state                 rsp_profile_state NOT NULL DEFAULT 'Available',
	created_at            timestamptz NOT NULL DEFAULT now(),
	updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX profiles_type_state ON profiles (profile_type, state);

CREATE TABLE orders (
	id                    bigserial PRIMARY KEY,
	profile_id            bigint NOT NULL REFERENCES profiles (id),
	-- The operator that placed the order (client certificate CN, or the
	-- functionRequesterIdentifier when ES2+ runs without client certificates).
	operator_id           text NOT NULL,
	-- The profile's current order; earlier, cancelled orders of the same profile are false.
	is_current            boolean NOT NULL DEFAULT true,
	state                 rsp_profile_state NOT NULL,
	eid                   text CHECK (eid ~ '^[0-9]{32}$'),
	-- Set by ConfirmOrder; unique over all orders, so an activation code is never reused.
	matching_id           text UNIQUE,
	-- SHA-256 of the confirmation code as ASCII bytes; the code itself is never stored.
	-- hashCc = SHA-256(cc_sha256 || transactionId) can be checked with it alone.
	cc_sha256             bytea CHECK (cc_sha256 IS NULL OR length(cc_sha256) = 32),
	cc_attempts           integer NOT NULL DEFAULT 0,
	cc_max_attempts       integer NOT NULL CHECK (cc_max_attempts > 0),
	download_attempts     integer NOT NULL DEFAULT 0,
	download_max_attempts integer NOT NULL CHECK (download_max_attempts > 0),
	release_flag          boolean NOT NULL DEFAULT false,
	smds_address          text,
	-- ES2+ HandleDownloadProgressInfo target of the operator, NULL for none.
	callback_url          text,
	expires_at            timestamptz NOT NULL,
	-- The last Bound Profile Package delivered, kept until the order ends, so a retry with
	-- the same otPK.EUICC.ECKA gets the same binding (SGP.22 GetBoundProfilePackage retry).
	bpp                   bytea,
	bpp_transaction_id    bytea,
	bpp_euicc_otpk        bytea,
	bpp_smdp_otpk         bytea,
	created_at            timestamptz NOT NULL DEFAULT now(),
	updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orders_current_per_profile ON orders (profile_id) WHERE is_current;
CREATE INDEX orders_eid ON orders (eid) WHERE is_current;

-- RSP session states: Initiated (InitiateAuthentication answered), Authenticated
-- (AuthenticateClient answered), Bound (a BPP delivered), Completed (installation result
-- received), Cancelled (CancelSession or a final error).
CREATE DOMAIN rsp_session_state AS text CHECK (VALUE IN (
	'Initiated', 'Authenticated', 'Bound', 'Completed', 'Cancelled'));

CREATE TABLE rsp_sessions (
	transaction_id        bytea PRIMARY KEY CHECK (length(transaction_id) = 16),
	state                 rsp_session_state NOT NULL,
	euicc_challenge       bytea NOT NULL CHECK (length(euicc_challenge) = 16),
	server_challenge      bytea NOT NULL CHECK (length(server_challenge) = 16),
	-- CI chosen in InitiateAuthentication (euiccCiPKIdToBeUsed) and the curve of its
	-- DPauth/DPpb certificates.
	ci_pkid               bytea NOT NULL,
	curve                 text NOT NULL,
	eid                   text,
	matching_id           text,
	order_id              bigint REFERENCES orders (id),
	euicc_certificate     bytea,
	-- Signed data of AuthenticateClient, needed to check euiccSignature2 and to send the same
	-- StoreMetadata in the BPP as in profileMetadata.
	smdp_signed2          bytea,
	smdp_signature2       bytea,
	profile_metadata      bytea,
	cc_required           boolean NOT NULL DEFAULT false,
	euicc_otpk            bytea,
	created_at            timestamptz NOT NULL DEFAULT now(),
	updated_at            timestamptz NOT NULL DEFAULT now(),
	expires_at            timestamptz NOT NULL
);
CREATE INDEX rsp_sessions_expires ON rsp_sessions (expires_at);
CREATE INDEX rsp_sessions_order ON rsp_sessions (order_id);

-- PendingNotifications received over ES9+ HandleNotification, verified or not.
CREATE TABLE notifications (
	id                    bigserial PRIMARY KEY,
	received_at           timestamptz NOT NULL DEFAULT now(),
	-- 'install' (ProfileInstallationResult), 'enable', 'disable', 'delete' or 'unknown'.
	kind                  text NOT NULL,
	transaction_id        bytea,
	eid                   text,
	iccid                 text,
	seq_number            bigint,
	verified              boolean NOT NULL,
	-- 'success', 'error <bppCommandId>/<errorReason>', or why it could not be processed.
	result                text NOT NULL,
	order_id              bigint REFERENCES orders (id),
	raw                   bytea NOT NULL
);
CREATE INDEX notifications_eid ON notifications (eid);

-- Outbox of ES2+ HandleDownloadProgressInfo calls: written in the transaction of the event
-- and sent by a background worker of any SM-DP+ process, so an ES9+ request never waits on
-- an operator and a restart loses no call.
CREATE TABLE operator_callbacks (
	id                    bigserial PRIMARY KEY,
	order_id              bigint REFERENCES orders (id),
	url                   text NOT NULL,
	body                  text NOT NULL,
	attempts              integer NOT NULL DEFAULT 0,
	next_attempt_at       timestamptz NOT NULL DEFAULT now(),
	-- NULL while pending; set when the operator answered 200/204 or the attempts ran out.
	done_at               timestamptz,
	last_error            text
);
CREATE INDEX operator_callbacks_pending ON operator_callbacks (next_attempt_at) WHERE done_at IS NULL;
