# Varnish in front of Newsdesk: caches public answers for as long as their
# Cache-Control s-maxage says, and drops them by surrogate key when Newsdesk purges.
# Needs varnish-modules (xkey). Point Newsdesk at it with
#   NEWSDESK_PURGE_URLS=http://<varnish host>:<port>/
# and let only Newsdesk's nodes reach PURGE (acl purgers).
vcl 4.1;

import xkey;

backend newsdesk {
    .host = "127.0.0.1";
    .port = "8080";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # A hard purge: the next reader gets the new answer, never a stale one.
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # What a signed-in reader sees may be unpublished: never from or into the cache.
    # (Varnish's built-in rules pass these too; said here so that no edit loses it.)
    if (req.http.Authorization) {
        return (pass);
    }
    # A draft preview (`?preview=TOKEN`) shows an unpublished article: the same. Its
    # answer is `private, no-store` as well.
    if (req.url ~ "[?&]preview=") {
        return (pass);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
}
