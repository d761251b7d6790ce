//! The operations kvs offers, described once as data. This table drives the command line,
//! the skeletons, `--cli-input-json` and input validation; adding an operation means adding an
//! entry here and its HTTP call.

/// One member of an operation's input shape (all of kvs's inputs are strings).
#[derive(Debug)]
pub struct Member {
    /// The service-model name, as in `--cli-input-json` and the request body (`channelArn`).
    pub name: &'static str,
    /// The command-line option without dashes (`channel-arn`).
    pub cli_name: &'static str,
    pub required: bool,
    pub min_len: usize,
    pub max_len: usize,
    /// An anchored regular expression the value must match.
    pub pattern: &'static str,
    pub help: &'static str,
}

/// Role the discovery call asks for (`SingleMasterChannelEndpointConfiguration.Role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Master,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Master => "MASTER",
            Role::Viewer => "VIEWER",
        }
    }
}

#[derive(Debug)]
pub struct Operation {
    /// The API name (`JoinStorageSession`), used in error messages and as the table title.
    pub name: &'static str,
    /// The subcommand (`join-storage-session`).
    pub cli_name: &'static str,
    /// The request path on the WebRTC storage endpoint.
    pub http_path: &'static str,
    pub role: Role,
    pub members: &'static [Member],
    pub about: &'static str,
    pub long_about: &'static str,
}

impl Operation {
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The member that holds the channel ARN, from which kvs learns the region and partition.
    pub fn channel_arn_member(&self) -> &'static Member {
        &self.members[0]
    }
}

pub const CHANNEL_ARN_PATTERN: &str =
    r"^arn:(aws[a-zA-Z-]*):kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$";

const CHANNEL_ARN: Member = Member {
    name: "channelArn",
    cli_name: "channel-arn",
    required: true,
    min_len: 0,
    max_len: usize::MAX,
    pattern: CHANNEL_ARN_PATTERN,
    help: "The Amazon Resource Name (ARN) of the signaling channel.",
};

const CLIENT_ID: Member = Member {
    name: "clientId",
    cli_name: "client-id",
    required: true,
    min_len: 1,
    max_len: 256,
    pattern: r"^[a-zA-Z0-9_.-]+$",
    help: "The unique identifier for the sender client.",
};

pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "JoinStorageSession",
        cli_name: "join-storage-session",
        http_path: "/joinStorageSession",
        role: Role::Master,
        members: &[CHANNEL_ARN],
        about: "Join the storage session of a channel as the master (the camera side)",
        long_about: "Join the ongoing one-way video and/or multi-way audio WebRTC session as a \
video producing device for an input channel. kvs first finds the channel's WebRTC endpoint with \
GetSignalingChannelEndpoint (role MASTER), unless --endpoint-url names it, then calls \
JoinStorageSession there. A success only means that the service will offer a session (an SDP \
offer) to the master connected on the channel's signaling WebSocket.",
    },
    Operation {
        name: "JoinStorageSessionAsViewer",
        cli_name: "join-storage-session-as-viewer",
        http_path: "/joinStorageSessionAsViewer",
        role: Role::Viewer,
        members: &[CHANNEL_ARN, CLIENT_ID],
        about: "Join the storage session of a channel as a viewer",
        long_about: "Join the ongoing one-way video and/or multi-way audio WebRTC session as a \
viewer for an input channel. kvs first finds the channel's WebRTC endpoint with \
GetSignalingChannelEndpoint (role VIEWER), unless --endpoint-url names it, then calls \
JoinStorageSessionAsViewer there.",
    },
];

pub fn find(cli_name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.cli_name == cli_name)
}
