DROP TABLE channel_links;
