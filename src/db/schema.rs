//! Diesel table definitions, written by hand with MultiBackend-safe types only.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    channels (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        auto_approve_comments -> Bool,
    }
}

diesel::table! {
    channel_links (id) {
        id -> BigInt,
        channel_id -> BigInt,
        position -> Integer,
        kind -> Text,
        label -> Text,
        value -> Nullable<Text>,
        url -> Nullable<Text>,
    }
}

diesel::table! {
    tip_lines (id) {
        id -> BigInt,
        channel_id -> BigInt,
        kind -> Text,
        label -> Text,
        value -> Text,
        position -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    tips (id) {
        id -> BigInt,
        channel_id -> Nullable<BigInt>,
        content -> Text,
        contact -> Nullable<Text>,
        name -> Nullable<Text>,
        status -> Text,
        assignee_id -> Nullable<BigInt>,
        article_id -> Nullable<BigInt>,
        client_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        depth -> Integer,
        author_name -> Text,
        body -> Text,
        status -> Text,
        client_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    authors (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        title -> Nullable<Text>,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        avatar_media_id -> Nullable<BigInt>,
    }
}

// PostgreSQL also has `search_vector` (tsvector), written only through
// `articles::search`; it is left out here because MultiBackend has no tsvector type.
diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        subtitle -> Nullable<Text>,
        summary -> Text,
        status -> Text,
        channel_id -> BigInt,
        source_name -> Nullable<Text>,
        source_url -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        cover_image_url -> Nullable<Text>,
        comments_enabled -> Bool,
        comment_count -> BigInt,
        page_count -> Integer,
        created_by -> Nullable<BigInt>,
        updated_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        status_changed_at -> Timestamp,
        cover_media_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    article_pages (article_id, page_number) {
        article_id -> BigInt,
        page_number -> Integer,
        body_html -> Text,
    }
}

diesel::table! {
    article_bylines (article_id, position) {
        article_id -> BigInt,
        position -> Integer,
        author_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    article_tags (article_id, position) {
        article_id -> BigInt,
        position -> Integer,
        tag -> Text,
    }
}

diesel::table! {
    article_related (article_id, position) {
        article_id -> BigInt,
        position -> Integer,
        related_id -> BigInt,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> BigInt,
        article_id -> BigInt,
        version -> BigInt,
        edited_by -> Nullable<BigInt>,
        edited_at -> Timestamp,
        content -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        hint -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_tokens -> users (created_by));
diesel::joinable!(articles -> channels (channel_id));
diesel::joinable!(article_pages -> articles (article_id));
diesel::joinable!(article_bylines -> articles (article_id));
diesel::joinable!(article_bylines -> authors (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::table! {
    readiness (id) {
        id -> Integer,
        checked_at -> Timestamp,
    }
}

// Kept by triggers (migration 000005): how many articles each channel holds by status
// and by whether `published_at` is set.
diesel::table! {
    article_counts (channel_id, status, dated) {
        channel_id -> BigInt,
        status -> Text,
        dated -> Bool,
        articles -> BigInt,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        dedupe_key -> Nullable<Text>,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Nullable<Integer>,
        state -> Text,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        active -> Bool,
        description -> Nullable<Text>,
        secret -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event_type -> Text,
        event_id -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        response_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    media (id) {
        id -> BigInt,
        hash -> Text,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        alt -> Text,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        status -> Text,
        variants -> Text,
        original_key -> Nullable<Text>,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    tip_photos (id) {
        id -> BigInt,
        tip_id -> BigInt,
        position -> Integer,
        storage_key -> Text,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_revisions -> users (edited_by));
diesel::joinable!(tip_lines -> channels (channel_id));
diesel::joinable!(channel_links -> channels (channel_id));
diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    channels,
    channel_links,
    authors,
    articles,
    article_pages,
    article_bylines,
    article_tags,
    article_related,
    article_revisions,
    tip_lines,
    tips,
    comments,
    readiness,
    article_counts,
    api_tokens,
    jobs,
    webhooks,
    webhook_deliveries,
    media,
    tip_photos,
);
