# One app host; list one backend per host and add each to the director for several.
# The health check asks for robots.txt: cheap, cached, and answered only when Django is up.
probe masthead_health {
    .request = "GET /robots.txt HTTP/1.1" "Host: localhost" "Connection: close";
    .interval = 2s;
    .timeout = 1s;
    .window = 5;
    .threshold = 3;
}

backend app1 {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = masthead_health;
    .first_byte_timeout = 30s;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
}
