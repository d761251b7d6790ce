# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kvs_global_optspecs
    string join \n debug endpoint-url= no-verify-ssl no-paginate output= query= profile= region= version color= no-sign-request ca-bundle= cli-read-timeout= cli-connect-timeout= h/help
end

function __fish_kvs_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kvs_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kvs_using_subcommand
    set -l cmd (__fish_kvs_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kvs -n "__fish_kvs_needs_command" -l endpoint-url -d 'Use this WebRTC storage endpoint instead of discovering it with GetSignalingChannelEndpoint.' -r
complete -c kvs -n "__fish_kvs_needs_command" -l output -d 'The output format.' -r -f -a "json\t''
text\t''
table\t''"
complete -c kvs -n "__fish_kvs_needs_command" -l query -d 'A JMESPath query to apply to the response.' -r
complete -c kvs -n "__fish_kvs_needs_command" -l profile -d 'Use this profile from the shared config files.' -r
complete -c kvs -n "__fish_kvs_needs_command" -l region -d 'The region to use (default: the configured region, else the channel ARN\'s).' -r
complete -c kvs -n "__fish_kvs_needs_command" -l color -d 'Colour for table output.' -r -f -a "on\t''
off\t''
auto\t''"
complete -c kvs -n "__fish_kvs_needs_command" -l ca-bundle -d 'The PEM bundle of CA certificates to verify TLS with, instead of the bundled roots.' -r -F
complete -c kvs -n "__fish_kvs_needs_command" -l cli-read-timeout -d 'The maximum socket read time in seconds; 0 means no timeout (default 60).' -r
complete -c kvs -n "__fish_kvs_needs_command" -l cli-connect-timeout -d 'The maximum socket connect time in seconds; 0 means no timeout (default 60).' -r
complete -c kvs -n "__fish_kvs_needs_command" -l debug -d 'Turn on debug logging on stderr (secrets are redacted).'
complete -c kvs -n "__fish_kvs_needs_command" -l no-verify-ssl -d 'Do not verify TLS certificates (a warning is printed).'
complete -c kvs -n "__fish_kvs_needs_command" -l no-paginate -d 'Accepted for compatibility; these operations do not paginate.'
complete -c kvs -n "__fish_kvs_needs_command" -l version -d 'Print the version and exit.'
complete -c kvs -n "__fish_kvs_needs_command" -l no-sign-request -d 'Do not sign requests; credentials are not loaded.'
complete -c kvs -n "__fish_kvs_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kvs -n "__fish_kvs_needs_command" -f -a "join-storage-session" -d 'Join the storage session of a channel as the master (the camera side)'
complete -c kvs -n "__fish_kvs_needs_command" -f -a "join-storage-session-as-viewer" -d 'Join the storage session of a channel as a viewer'
complete -c kvs -n "__fish_kvs_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l channel-arn -d 'The Amazon Resource Name (ARN) of the signaling channel. Required. file://PATH reads the value from a file.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l cli-input-json -d 'Read the arguments from a JSON document (inline, file://PATH or fileb://PATH); options on the command line win.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l generate-cli-skeleton -d 'Print a JSON skeleton of the input (default), or validate the input and print the output skeleton.' -r -f -a "input\t''
output\t''"
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l endpoint-url -d 'Use this WebRTC storage endpoint instead of discovering it with GetSignalingChannelEndpoint.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l output -d 'The output format.' -r -f -a "json\t''
text\t''
table\t''"
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l query -d 'A JMESPath query to apply to the response.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l profile -d 'Use this profile from the shared config files.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l region -d 'The region to use (default: the configured region, else the channel ARN\'s).' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l color -d 'Colour for table output.' -r -f -a "on\t''
off\t''
auto\t''"
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l ca-bundle -d 'The PEM bundle of CA certificates to verify TLS with, instead of the bundled roots.' -r -F
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l cli-read-timeout -d 'The maximum socket read time in seconds; 0 means no timeout (default 60).' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l cli-connect-timeout -d 'The maximum socket connect time in seconds; 0 means no timeout (default 60).' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l debug -d 'Turn on debug logging on stderr (secrets are redacted).'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l no-verify-ssl -d 'Do not verify TLS certificates (a warning is printed).'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l no-paginate -d 'Accepted for compatibility; these operations do not paginate.'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l version -d 'Print the version and exit.'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -l no-sign-request -d 'Do not sign requests; credentials are not loaded.'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l channel-arn -d 'The Amazon Resource Name (ARN) of the signaling channel. Required. file://PATH reads the value from a file.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l client-id -d 'The unique identifier for the sender client. Required. file://PATH reads the value from a file.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l cli-input-json -d 'Read the arguments from a JSON document (inline, file://PATH or fileb://PATH); options on the command line win.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l generate-cli-skeleton -d 'Print a JSON skeleton of the input (default), or validate the input and print the output skeleton.' -r -f -a "input\t''
output\t''"
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l endpoint-url -d 'Use this WebRTC storage endpoint instead of discovering it with GetSignalingChannelEndpoint.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l output -d 'The output format.' -r -f -a "json\t''
text\t''
table\t''"
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l query -d 'A JMESPath query to apply to the response.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l profile -d 'Use this profile from the shared config files.' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l region -d 'The region to use (default: the configured region, else the channel ARN\'s).' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l color -d 'Colour for table output.' -r -f -a "on\t''
off\t''
auto\t''"
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l ca-bundle -d 'The PEM bundle of CA certificates to verify TLS with, instead of the bundled roots.' -r -F
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l cli-read-timeout -d 'The maximum socket read time in seconds; 0 means no timeout (default 60).' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l cli-connect-timeout -d 'The maximum socket connect time in seconds; 0 means no timeout (default 60).' -r
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l debug -d 'Turn on debug logging on stderr (secrets are redacted).'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l no-verify-ssl -d 'Do not verify TLS certificates (a warning is printed).'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l no-paginate -d 'Accepted for compatibility; these operations do not paginate.'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l version -d 'Print the version and exit.'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -l no-sign-request -d 'Do not sign requests; credentials are not loaded.'
complete -c kvs -n "__fish_kvs_using_subcommand join-storage-session-as-viewer" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kvs -n "__fish_kvs_using_subcommand help; and not __fish_seen_subcommand_from join-storage-session join-storage-session-as-viewer help" -f -a "join-storage-session" -d 'Join the storage session of a channel as the master (the camera side)'
complete -c kvs -n "__fish_kvs_using_subcommand help; and not __fish_seen_subcommand_from join-storage-session join-storage-session-as-viewer help" -f -a "join-storage-session-as-viewer" -d 'Join the storage session of a channel as a viewer'
complete -c kvs -n "__fish_kvs_using_subcommand help; and not __fish_seen_subcommand_from join-storage-session join-storage-session-as-viewer help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
