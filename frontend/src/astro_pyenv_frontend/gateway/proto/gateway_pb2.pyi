from astro_pyenv_frontend.gateway.proto import ops_pb2 as _ops_pb2
from astro_pyenv_frontend.gateway.proto import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResolveImageConfigRequest(_message.Message):
    __slots__ = ("Ref", "Platform", "ResolveMode", "LogName")
    REF_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    RESOLVEMODE_FIELD_NUMBER: _ClassVar[int]
    LOGNAME_FIELD_NUMBER: _ClassVar[int]
    Ref: str
    Platform: _ops_pb2.Platform
    ResolveMode: str
    LogName: str
    def __init__(self, Ref: _Optional[str] = ..., Platform: _Optional[_Union[_ops_pb2.Platform, _Mapping]] = ..., ResolveMode: _Optional[str] = ..., LogName: _Optional[str] = ...) -> None: ...

class ResolveImageConfigResponse(_message.Message):
    __slots__ = ("Digest", "Config")
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    Digest: str
    Config: bytes
    def __init__(self, Digest: _Optional[str] = ..., Config: _Optional[bytes] = ...) -> None: ...

class Result(_message.Message):
    __slots__ = ("refDeprecated", "refsDeprecated", "ref", "refs", "metadata", "attestations")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    class AttestationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Attestations
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Attestations, _Mapping]] = ...) -> None: ...
    REFDEPRECATED_FIELD_NUMBER: _ClassVar[int]
    REFSDEPRECATED_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    REFS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ATTESTATIONS_FIELD_NUMBER: _ClassVar[int]
    refDeprecated: str
    refsDeprecated: RefMapDeprecated
    ref: Ref
    refs: RefMap
    metadata: _containers.ScalarMap[str, bytes]
    attestations: _containers.MessageMap[str, Attestations]
    def __init__(self, refDeprecated: _Optional[str] = ..., refsDeprecated: _Optional[_Union[RefMapDeprecated, _Mapping]] = ..., ref: _Optional[_Union[Ref, _Mapping]] = ..., refs: _Optional[_Union[RefMap, _Mapping]] = ..., metadata: _Optional[_Mapping[str, bytes]] = ..., attestations: _Optional[_Mapping[str, Attestations]] = ...) -> None: ...

class RefMapDeprecated(_message.Message):
    __slots__ = ("refs",)
    class RefsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REFS_FIELD_NUMBER: _ClassVar[int]
    refs: _containers.ScalarMap[str, str]
    def __init__(self, refs: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Ref(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    DEF_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ..., **kwargs) -> None: ...

class RefMap(_message.Message):
    __slots__ = ("refs",)
    class RefsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Ref
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Ref, _Mapping]] = ...) -> None: ...
    REFS_FIELD_NUMBER: _ClassVar[int]
    refs: _containers.MessageMap[str, Ref]
    def __init__(self, refs: _Optional[_Mapping[str, Ref]] = ...) -> None: ...

class Attestations(_message.Message):
    __slots__ = ("attestation",)
    ATTESTATION_FIELD_NUMBER: _ClassVar[int]
    attestation: _containers.RepeatedCompositeFieldContainer[Attestation]
    def __init__(self, attestation: _Optional[_Iterable[_Union[Attestation, _Mapping]]] = ...) -> None: ...

class Attestation(_message.Message):
    __slots__ = ("kind", "metadata", "ref", "path", "inTotoPredicateType", "inTotoSubjects")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    KIND_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    INTOTOPREDICATETYPE_FIELD_NUMBER: _ClassVar[int]
    INTOTOSUBJECTS_FIELD_NUMBER: _ClassVar[int]
    kind: int
    metadata: _containers.ScalarMap[str, bytes]
    ref: Ref
    path: str
    inTotoPredicateType: str
    inTotoSubjects: _containers.RepeatedCompositeFieldContainer[InTotoSubject]
    def __init__(self, kind: _Optional[int] = ..., metadata: _Optional[_Mapping[str, bytes]] = ..., ref: _Optional[_Union[Ref, _Mapping]] = ..., path: _Optional[str] = ..., inTotoPredicateType: _Optional[str] = ..., inTotoSubjects: _Optional[_Iterable[_Union[InTotoSubject, _Mapping]]] = ...) -> None: ...

class InTotoSubject(_message.Message):
    __slots__ = ("kind", "digest", "name")
    KIND_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kind: int
    digest: _containers.RepeatedScalarFieldContainer[str]
    name: str
    def __init__(self, kind: _Optional[int] = ..., digest: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ...) -> None: ...

class ReturnRequest(_message.Message):
    __slots__ = ("result", "error")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    result: Result
    error: _status_pb2.Status
    def __init__(self, result: _Optional[_Union[Result, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class ReturnResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InputsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class InputsResponse(_message.Message):
    __slots__ = ("Definitions",)
    class DefinitionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _ops_pb2.Definition
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_ops_pb2.Definition, _Mapping]] = ...) -> None: ...
    DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    Definitions: _containers.MessageMap[str, _ops_pb2.Definition]
    def __init__(self, Definitions: _Optional[_Mapping[str, _ops_pb2.Definition]] = ...) -> None: ...

class SolveRequest(_message.Message):
    __slots__ = ("Definition", "Frontend", "FrontendOpt", "allowResultReturn", "allowResultArrayRef", "FrontendInputs", "Evaluate")
    class FrontendOptEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class FrontendInputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _ops_pb2.Definition
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_ops_pb2.Definition, _Mapping]] = ...) -> None: ...
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    FRONTEND_FIELD_NUMBER: _ClassVar[int]
    FRONTENDOPT_FIELD_NUMBER: _ClassVar[int]
    ALLOWRESULTRETURN_FIELD_NUMBER: _ClassVar[int]
    ALLOWRESULTARRAYREF_FIELD_NUMBER: _ClassVar[int]
    FRONTENDINPUTS_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_FIELD_NUMBER: _ClassVar[int]
    Definition: _ops_pb2.Definition
    Frontend: str
    FrontendOpt: _containers.ScalarMap[str, str]
    allowResultReturn: bool
    allowResultArrayRef: bool
    FrontendInputs: _containers.MessageMap[str, _ops_pb2.Definition]
    Evaluate: bool
    def __init__(self, Definition: _Optional[_Union[_ops_pb2.Definition, _Mapping]] = ..., Frontend: _Optional[str] = ..., FrontendOpt: _Optional[_Mapping[str, str]] = ..., allowResultReturn: _Optional[bool] = ..., allowResultArrayRef: _Optional[bool] = ..., FrontendInputs: _Optional[_Mapping[str, _ops_pb2.Definition]] = ..., Evaluate: _Optional[bool] = ...) -> None: ...

class SolveResponse(_message.Message):
    __slots__ = ("ref", "result")
    REF_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ref: str
    result: Result
    def __init__(self, ref: _Optional[str] = ..., result: _Optional[_Union[Result, _Mapping]] = ...) -> None: ...

class ReadFileRequest(_message.Message):
    __slots__ = ("Ref", "FilePath", "Range")
    REF_FIELD_NUMBER: _ClassVar[int]
    FILEPATH_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    Ref: str
    FilePath: str
    Range: FileRange
    def __init__(self, Ref: _Optional[str] = ..., FilePath: _Optional[str] = ..., Range: _Optional[_Union[FileRange, _Mapping]] = ...) -> None: ...

class FileRange(_message.Message):
    __slots__ = ("Offset", "Length")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    Offset: int
    Length: int
    def __init__(self, Offset: _Optional[int] = ..., Length: _Optional[int] = ...) -> None: ...

class ReadFileResponse(_message.Message):
    __slots__ = ("Data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    Data: bytes
    def __init__(self, Data: _Optional[bytes] = ...) -> None: ...

class PingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PongResponse(_message.Message):
    __slots__ = ("FrontendAPICaps", "LLBCaps", "Workers")
    FRONTENDAPICAPS_FIELD_NUMBER: _ClassVar[int]
    LLBCAPS_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    FrontendAPICaps: _containers.RepeatedCompositeFieldContainer[APICap]
    LLBCaps: _containers.RepeatedCompositeFieldContainer[APICap]
    Workers: _containers.RepeatedCompositeFieldContainer[WorkerRecord]
    def __init__(self, FrontendAPICaps: _Optional[_Iterable[_Union[APICap, _Mapping]]] = ..., LLBCaps: _Optional[_Iterable[_Union[APICap, _Mapping]]] = ..., Workers: _Optional[_Iterable[_Union[WorkerRecord, _Mapping]]] = ...) -> None: ...

class APICap(_message.Message):
    __slots__ = ("ID", "Enabled", "Deprecated", "DisabledReason", "DisabledReasonMsg", "DisabledAlternative")
    ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    DEPRECATED_FIELD_NUMBER: _ClassVar[int]
    DISABLEDREASON_FIELD_NUMBER: _ClassVar[int]
    DISABLEDREASONMSG_FIELD_NUMBER: _ClassVar[int]
    DISABLEDALTERNATIVE_FIELD_NUMBER: _ClassVar[int]
    ID: str
    Enabled: bool
    Deprecated: bool
    DisabledReason: str
    DisabledReasonMsg: str
    DisabledAlternative: str
    def __init__(self, ID: _Optional[str] = ..., Enabled: _Optional[bool] = ..., Deprecated: _Optional[bool] = ..., DisabledReason: _Optional[str] = ..., DisabledReasonMsg: _Optional[str] = ..., DisabledAlternative: _Optional[str] = ...) -> None: ...

class WorkerRecord(_message.Message):
    __slots__ = ("ID", "Labels", "platforms")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    PLATFORMS_FIELD_NUMBER: _ClassVar[int]
    ID: str
    Labels: _containers.ScalarMap[str, str]
    platforms: _containers.RepeatedCompositeFieldContainer[_ops_pb2.Platform]
    def __init__(self, ID: _Optional[str] = ..., Labels: _Optional[_Mapping[str, str]] = ..., platforms: _Optional[_Iterable[_Union[_ops_pb2.Platform, _Mapping]]] = ...) -> None: ...

class WarnRequest(_message.Message):
    __slots__ = ("digest", "level", "short", "detail", "url", "info", "ranges")
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SHORT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    RANGES_FIELD_NUMBER: _ClassVar[int]
    digest: str
    level: int
    short: bytes
    detail: _containers.RepeatedScalarFieldContainer[bytes]
    url: str
    info: _ops_pb2.SourceInfo
    ranges: _containers.RepeatedCompositeFieldContainer[_ops_pb2.Range]
    def __init__(self, digest: _Optional[str] = ..., level: _Optional[int] = ..., short: _Optional[bytes] = ..., detail: _Optional[_Iterable[bytes]] = ..., url: _Optional[str] = ..., info: _Optional[_Union[_ops_pb2.SourceInfo, _Mapping]] = ..., ranges: _Optional[_Iterable[_Union[_ops_pb2.Range, _Mapping]]] = ...) -> None: ...

class WarnResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
