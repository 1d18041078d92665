"""Structured logs: one JSON object a line in production, readable lines in development.

Log lines carry a request id and never personal data: no names, e-mail addresses, query
strings or bodies. Code that logs passes ids, not people.
"""

import logging.config

import structlog

SHARED_PROCESSORS: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def structured_formatter(*, json_lines: bool) -> structlog.stdlib.ProcessorFormatter:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


def logging_configure(*, json_lines: bool, level: str) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"structured": {"()": structured_formatter, "json_lines": json_lines}},
            "handlers": {"stream": {"class": "logging.StreamHandler", "formatter": "structured"}},
            "root": {"handlers": ["stream"], "level": level},
            "loggers": {
                # Django's request logger repeats the path with its query string.
                "django.request": {"level": "ERROR"},
                "django.server": {"level": "WARNING"},
                "axes": {"level": "WARNING"},
            },
        }
    )
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
