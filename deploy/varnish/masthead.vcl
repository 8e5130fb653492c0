vcl 4.1;
# Varnish in front of Masthead: the edge cache the app's Surrogate-Key headers were made for.
#
# - caches what Masthead marks cacheable (its Cache-Control s-maxage), keyed by host and URL;
# - purges by surrogate key through xkey: `PURGE /` with `xkey-purge: article-302104 home`
#   (masthead.delivery.purge.varnish sends exactly that), allowed from the purgers ACL only;
# - passes signed-in editors (Django's session cookie), API tokens and every non-GET/HEAD;
# - buffers request bodies in full before the app sees them, so slow clients never hold an app thread;
# - collapses concurrent misses (Varnish's waiting list) and serves stale pages while a backend is
#   down or slow (grace), checking backends' health every few seconds.
#
# Backends come from backends.vcl beside this file (one `backend` per app host and a director
# named `app`); deploy/varnish/backends.vcl is the one-host example.

import std;
import xkey;
import directors;

include "backends.vcl";

acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    set req.backend_hint = app.backend();

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is not allowed from " + client.ip));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the surrogate keys to purge in an xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        # Read the whole body here (up to the comment and upload limits) before the app sees it.
        if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
            if (!std.cache_req_body(64MB)) {
                return (synth(413, "Request body too large"));
            }
        }
        return (pass);
    }

    # A live story's stream (Server-Sent Events) is one reader's, open for as long as the page is:
    # passed to the app and sent on as it comes (see vcl_backend_response). Its polling answer,
    # /news/<id>/updates/?version=<v>, is cached like any page.
    # Varnish ends a response after send_timeout (10 minutes): a stream may last an hour, after which
    # the browser reconnects naming the last event it had, and misses nothing.
    if (req.url ~ "^(/[a-z]{2,3})?/news/[0-9]+/updates/stream/") {
        set sess.send_timeout = 1h;
        return (pass);
    }
    # Editors signed in and API clients with a token may see more than readers: never cached.
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # The newsroom and the Security Key frame are per person (and keep their cookies); the rest is
    # the same for every reader.
    if (req.url ~ "^/(newsroom|comments)/") {
        return (pass);
    }
    unset req.http.Cookie;
    # One object per page whatever the order of its parameters; a page without any is left as it is.
    if (req.url ~ "\?") {
        set req.url = std.querysort(req.url);
    }
    # No Accept-Encoding work here: with http_gzip_support (the default) Varnish asks the app for gzip,
    # keeps one object per page whatever the app's "Vary: Accept-Encoding" says, sends it as stored to
    # every client that takes gzip (whatever its header's spelling) and unzips it for the others.
    return (hash);
}

sub vcl_backend_response {
    # xkey indexes objects by the xkey header; Masthead names its keys in Surrogate-Key, which readers
    # need not see. The app's timing and cache state describe this fetch, not the hits to come.
    # Done here, once per object, rather than for every hit in vcl_deliver.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    unset beresp.http.Server-Timing;
    unset beresp.http.X-Cache;
    if (beresp.http.Content-Type ~ "^text/event-stream") {
        # Each event goes to the reader as the app writes it, never held back to fill a buffer or
        # to be compressed. The app writes a comment every 20 s, inside between_bytes_timeout (60 s).
        set beresp.do_stream = true;
        set beresp.do_gzip = false;
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        # A failed background refresh keeps the stale copy rather than caching the error.
        return (abandon);
    }
    if (beresp.status >= 502 && beresp.status <= 504 && bereq.retries < 1
            && (bereq.method == "GET" || bereq.method == "HEAD")) {
        # A host going down answers its last requests badly: ask another host once.
        return (retry);
    }
    # Only what the app marks cacheable is kept. A 404 for a story about to be published, a search
    # page or an error carries no Cache-Control (or no-cache): never cached, so it cannot outlive a publish.
    if (!beresp.http.Cache-Control || beresp.http.Set-Cookie || beresp.http.Vary == "*"
            || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache") {
        set beresp.ttl = 1s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Keep pages past their lifetime to serve while a backend is down or a fresh copy is being fetched.
    set beresp.grace = 6h;
    return (deliver);
}

sub vcl_backend_error {
    # The host did not answer at all (killed, restarting): readers' GETs go to another host.
    if (bereq.retries < 2 && (bereq.method == "GET" || bereq.method == "HEAD")) {
        return (retry);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Edge = "hit";
    } else {
        set resp.http.X-Edge = "miss";
    }
    unset resp.http.xkey;
    # Readers' browsers keep pages briefly (max-age); only the edge honours s-maxage and purges.
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason + {"
"};
    return (deliver);
}
