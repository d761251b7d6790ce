//! The operations: Kinesis Video's control plane (signaling channels, media storage
//! configuration, endpoint discovery) and the WebRTC storage plane (joining a session), with
//! the request and response shapes of botocore's service models.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::state::{Channel, State};

/// Which endpoint a listener plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    Control,
    Storage,
    Both,
}

const CONTROL_OPERATIONS: &[&str] = &[
    "GetSignalingChannelEndpoint",
    "CreateSignalingChannel",
    "DescribeSignalingChannel",
    "DeleteSignalingChannel",
    "UpdateMediaStorageConfiguration",
    "DescribeMediaStorageConfiguration",
];
const STORAGE_OPERATIONS: &[&str] = &["JoinStorageSession", "JoinStorageSessionAsViewer"];

/// The operation a path names on a plane: `/joinStorageSession` is `JoinStorageSession`.
pub fn operation_for(path: &str, plane: Plane) -> Option<&'static str> {
    let name = path.strip_prefix('/')?;
    let matches = |op: &&str| {
        let mut chars = op.chars();
        chars.next().is_some_and(|first| {
            name.len() == op.len()
                && name.starts_with(first.to_ascii_lowercase())
                && name[1..] == op[1..]
        })
    };
    let control = CONTROL_OPERATIONS.iter().find(|op| matches(op));
    let storage = STORAGE_OPERATIONS.iter().find(|op| matches(op));
    match plane {
        Plane::Control => control.copied(),
        Plane::Storage => storage.copied(),
        Plane::Both => control.or(storage).copied(),
    }
}

/// The control plane writes `Message`, the storage plane `message`, as the real services do.
pub fn is_control_operation(operation: &str) -> bool {
    CONTROL_OPERATIONS.contains(&operation)
}

/// An answer: 200 with a JSON body, or an AWS error.
#[derive(Debug)]
pub enum Reply {
    Ok(Option<Value>),
    Error {
        status: u16,
        code: String,
        message: String,
    },
}

fn error(status: u16, code: &str, message: impl Into<String>) -> Reply {
    Reply::Error {
        status,
        code: code.to_string(),
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> Reply {
    error(400, "InvalidArgumentException", message)
}

const ARN_PATTERN: &str =
    r"^arn:(aws[a-zA-Z-]*):kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$";
pub const ACCOUNT_ID: &str = "123456789012";

/// `arn:(aws[a-zA-Z-]*):kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+`, by hand.
pub fn arn_is_valid(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "kinesisvideo" {
        return false;
    }
    let partition_ok = parts[1]
        .strip_prefix("aws")
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_alphabetic() || c == '-'));
    let region_ok = !parts[3].is_empty()
        && parts[3]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let account_ok = !parts[4].is_empty() && parts[4].chars().all(|c| c.is_ascii_digit());
    let resource: Vec<&str> = parts[5].split('/').collect();
    let resource_ok = resource.len() == 3
        && !resource[0].is_empty()
        && resource[0].chars().all(|c| c.is_ascii_lowercase())
        && name_is_valid(resource[1])
        && !resource[2].is_empty()
        && resource[2].chars().all(|c| c.is_ascii_digit());
    partition_ok && region_ok && account_ok && resource_ok
}

/// A signaling channel's ARN: the model's pattern with the `channel` resource type.
pub fn is_channel_arn(arn: &str) -> bool {
    arn_is_valid(arn)
        && arn
            .splitn(6, ':')
            .nth(5)
            .is_some_and(|r| r.starts_with("channel/"))
}

fn name_is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Everything an operation needs besides its input.
pub struct Api<'a> {
    pub state: &'a State,
    pub region: &'a str,
    pub control_url: &'a str,
    pub storage_url: &'a str,
}

impl Api<'_> {
    pub fn call(&self, operation: &str, body: &[u8]) -> Reply {
        let input = match parse_input(body) {
            Ok(input) => input,
            Err(reply) => return reply,
        };
        match operation {
            "GetSignalingChannelEndpoint" => self.get_signaling_channel_endpoint(&input),
            "CreateSignalingChannel" => self.create_signaling_channel(&input),
            "DescribeSignalingChannel" => self.describe_signaling_channel(&input),
            "DeleteSignalingChannel" => self.delete_signaling_channel(&input),
            "UpdateMediaStorageConfiguration" => self.update_media_storage_configuration(&input),
            "DescribeMediaStorageConfiguration" => {
                self.describe_media_storage_configuration(&input)
            }
            "JoinStorageSession" => self.join_storage_session(&input, None),
            "JoinStorageSessionAsViewer" => match string(&input, "clientId") {
                Some(id) if name_is_valid(id) => self.join_storage_session(&input, Some(id)),
                Some(_) => invalid("1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.-]+$"),
                None => invalid("1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"),
            },
            _ => error(404, "UnknownOperationException", "Unknown operation"),
        }
    }

    /// A channel named by `ChannelARN` or `ChannelName` (`arn_key` for the storage plane).
    fn find_channel(&self, input: &Map<String, Value>, arn_key: &str) -> Result<Channel, Reply> {
        if let Some(arn) = string(input, arn_key) {
            if !arn_is_valid(arn) {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{arn}' at '{arn_key}' failed to satisfy constraint: Member must satisfy regular expression pattern: {ARN_PATTERN}"
                )));
            }
            return self.state.channel(arn).ok_or_else(|| {
                error(
                    404,
                    "ResourceNotFoundException",
                    "The requested channel is not found or not active.",
                )
            });
        }
        if let Some(name) = string(input, "ChannelName") {
            return self.state.channel_by_name(name).ok_or_else(|| {
                error(
                    404,
                    "ResourceNotFoundException",
                    "The requested channel is not found or not active.",
                )
            });
        }
        Err(invalid(format!(
            "1 validation error detected: Value null at '{arn_key}' failed to satisfy constraint: Member must not be null"
        )))
    }

    fn get_signaling_channel_endpoint(&self, input: &Map<String, Value>) -> Reply {
        if let Err(reply) = self.find_channel(input, "ChannelARN") {
            return reply;
        }
        let config = input
            .get("SingleMasterChannelEndpointConfiguration")
            .and_then(Value::as_object);
        let role = config
            .and_then(|c| c.get("Role"))
            .and_then(Value::as_str)
            .unwrap_or("MASTER");
        if role != "MASTER" && role != "VIEWER" {
            return invalid(format!("Invalid role: {role}"));
        }
        let protocols: Vec<&str> = match config.and_then(|c| c.get("Protocols")) {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => vec!["WSS", "HTTPS"],
        };
        let mut endpoints = Vec::new();
        for protocol in protocols {
            let endpoint = match protocol {
                "WSS" => websocket_url(self.control_url),
                "HTTPS" => self.control_url.to_string(),
                // Handed out for any channel: JoinStorageSession checks storage.
                "WEBRTC" => self.storage_url.to_string(),
                other => return invalid(format!("Invalid protocol: {other}")),
            };
            endpoints.push(json!({"Protocol": protocol, "ResourceEndpoint": endpoint}));
        }
        Reply::Ok(Some(json!({ "ResourceEndpointList": endpoints })))
    }

    fn create_signaling_channel(&self, input: &Map<String, Value>) -> Reply {
        let Some(name) = string(input, "ChannelName") else {
            return invalid("1 validation error detected: Value null at 'ChannelName' failed to satisfy constraint: Member must not be null");
        };
        if !name_is_valid(name) {
            return invalid(format!("1 validation error detected: Value '{name}' at 'ChannelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
        }
        if self.state.channel_by_name(name).is_some() {
            return error(
                400,
                "ResourceInUseException",
                format!("The signaling channel {name} already exists."),
            );
        }
        let channel_type = string(input, "ChannelType").unwrap_or("SINGLE_MASTER");
        if channel_type != "SINGLE_MASTER" && channel_type != "FULL_MESH" {
            return invalid(format!("Invalid channel type: {channel_type}"));
        }
        let ttl = input
            .get("SingleMasterConfiguration")
            .and_then(|c| c.get("MessageTtlSeconds"))
            .and_then(Value::as_u64)
            .unwrap_or(60);
        let created = SystemTime::now();
        let millis = created
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let arn = format!(
            "arn:aws:kinesisvideo:{}:{ACCOUNT_ID}:channel/{name}/{millis}",
            self.region
        );
        self.state
            .insert_channel(new_channel(&arn, name, channel_type, ttl, created, false));
        Reply::Ok(Some(json!({ "ChannelARN": arn })))
    }

    fn describe_signaling_channel(&self, input: &Map<String, Value>) -> Reply {
        let channel = match self.find_channel(input, "ChannelARN") {
            Ok(channel) => channel,
            Err(reply) => return reply,
        };
        let created = channel
            .created
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Reply::Ok(Some(json!({
            "ChannelInfo": {
                "ChannelName": channel.name,
                "ChannelARN": channel.arn,
                "ChannelType": channel.channel_type,
                "ChannelStatus": "ACTIVE",
                "CreationTime": created,
                "SingleMasterConfiguration": {"MessageTtlSeconds": channel.message_ttl_seconds},
                "Version": channel.version,
            }
        })))
    }

    fn delete_signaling_channel(&self, input: &Map<String, Value>) -> Reply {
        let channel = match self.find_channel(input, "ChannelARN") {
            Ok(channel) => channel,
            Err(reply) => return reply,
        };
        if let Some(version) = string(input, "CurrentVersion") {
            if version != channel.version {
                return error(
                    400,
                    "VersionMismatchException",
                    "The version of the channel does not match the specified version.",
                );
            }
        }
        self.state.remove_channel(&channel.arn);
        Reply::Ok(Some(json!({})))
    }

    fn update_media_storage_configuration(&self, input: &Map<String, Value>) -> Reply {
        let channel = match self.find_channel(input, "ChannelARN") {
            Ok(channel) => channel,
            Err(reply) => return reply,
        };
        let config = input
            .get("MediaStorageConfiguration")
            .and_then(Value::as_object);
        let status = config.and_then(|c| c.get("Status")).and_then(Value::as_str);
        let enabled = match status {
            Some("ENABLED") => true,
            Some("DISABLED") => false,
            _ => return invalid("MediaStorageConfiguration.Status must be ENABLED or DISABLED"),
        };
        let stream_arn = config
            .and_then(|c| c.get("StreamARN"))
            .and_then(Value::as_str)
            .map(str::to_string);
        self.state.update_channel(&channel.arn, |c| {
            c.storage_enabled = enabled;
            c.stream_arn = stream_arn;
        });
        Reply::Ok(Some(json!({})))
    }

    fn describe_media_storage_configuration(&self, input: &Map<String, Value>) -> Reply {
        let channel = match self.find_channel(input, "ChannelARN") {
            Ok(channel) => channel,
            Err(reply) => return reply,
        };
        let mut config = Map::new();
        if let Some(stream) = &channel.stream_arn {
            config.insert("StreamARN".into(), json!(stream));
        }
        let status = if channel.storage_enabled {
            "ENABLED"
        } else {
            "DISABLED"
        };
        config.insert("Status".into(), json!(status));
        Reply::Ok(Some(json!({ "MediaStorageConfiguration": config })))
    }

    fn join_storage_session(&self, input: &Map<String, Value>, _client_id: Option<&str>) -> Reply {
        let channel = match self.find_channel(input, "channelArn") {
            Ok(channel) => channel,
            Err(reply) => return reply,
        };
        if !channel.storage_enabled {
            // The channel exists and the caller may use it: the argument is what is wrong.
            return invalid(format!(
                "The channel {} is not configured for media storage.",
                channel.arn
            ));
        }
        Reply::Ok(None)
    }
}

/// A new ACTIVE channel.
pub fn new_channel(
    arn: &str,
    name: &str,
    channel_type: &str,
    ttl: u64,
    created: SystemTime,
    storage_enabled: bool,
) -> Channel {
    Channel {
        name: name.to_string(),
        arn: arn.to_string(),
        channel_type: channel_type.to_string(),
        message_ttl_seconds: ttl,
        created,
        version: format!("{:020x}", fastrand::u64(..))[..20].to_string(),
        storage_enabled,
        stream_arn: None,
    }
}

/// A channel seeded from its ARN: ACTIVE, SINGLE_MASTER and storage-enabled unless told.
pub fn seeded_channel(arn: &str, storage_enabled: bool) -> Channel {
    let name = arn.rsplit('/').nth(1).unwrap_or(arn);
    new_channel(
        arn,
        name,
        "SINGLE_MASTER",
        60,
        SystemTime::now(),
        storage_enabled,
    )
}

/// The signaling WebSocket lives on the control listener: `ws://` over plain HTTP, `wss://`
/// over TLS.
fn websocket_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_url.to_string()
    }
}

fn parse_input(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("The request body must be a JSON object.")),
        Err(e) => Err(invalid(format!("The request body is not valid JSON: {e}"))),
    }
}

fn string<'a>(input: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_operations_per_plane() {
        assert_eq!(
            operation_for("/joinStorageSession", Plane::Storage),
            Some("JoinStorageSession")
        );
        assert_eq!(operation_for("/joinStorageSession", Plane::Control), None);
        assert_eq!(
            operation_for("/getSignalingChannelEndpoint", Plane::Both),
            Some("GetSignalingChannelEndpoint")
        );
        assert_eq!(operation_for("/JoinStorageSession", Plane::Both), None);
        assert_eq!(operation_for("/nope", Plane::Both), None);
        assert_eq!(operation_for("", Plane::Both), None);
    }

    #[test]
    fn websocket_urls_keep_the_tls_choice() {
        assert_eq!(websocket_url("http://127.0.0.1:1"), "ws://127.0.0.1:1");
        assert_eq!(websocket_url("https://127.0.0.1:1"), "wss://127.0.0.1:1");
        assert_eq!(websocket_url("https://[::1]:1"), "wss://[::1]:1");
    }

    #[test]
    fn arns_follow_the_model_pattern() {
        assert!(arn_is_valid(
            "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1234567890123"
        ));
        assert!(arn_is_valid(
            "arn:aws-cn:kinesisvideo:cn-north-1:1:channel/a.b_c-d/1"
        ));
        for bad in [
            "arn:aws:kinesis:us-west-2:1:channel/demo/1",
            "arn:aws:kinesisvideo:us-west-2:1:channel/demo",
            "arn:aws:kinesisvideo:us-west-2:x:channel/demo/1",
            "arn:gcp:kinesisvideo:us-west-2:1:channel/demo/1",
            "arn:aws:kinesisvideo:US:1:channel/demo/1",
            "arn:aws:kinesisvideo:us-west-2:1:channel/de mo/1",
            "",
        ] {
            assert!(!arn_is_valid(bad), "{bad}");
        }
        assert!(is_channel_arn(
            "arn:aws:kinesisvideo:us-west-2:1:channel/demo/1"
        ));
        assert!(!is_channel_arn(
            "arn:aws:kinesisvideo:us-west-2:1:stream/demo/1"
        ));
    }
}
